package org.gleaner.collectors.ctnetlink;

/**
 * One conntrack entry as ctnetlink reports it, in a dump reply or a DESTROY event. Addresses are
 * 4 or 16 bytes in network order. Counters are meaningful only when {@code hasCounters}: entries
 * created while net.netfilter.nf_conntrack_acct was 0 carry none. For ICMP the "ports" are the
 * echo id and type/code. {@code id} is -1 when absent, {@code startNanos} 0 without timestamps.
 */
public record Flow(
        boolean destroyed,
        int family,
        int protocol,
        byte[] originalSource,
        byte[] originalDestination,
        int originalSourcePort,
        int originalDestinationPort,
        byte[] replySource,
        byte[] replyDestination,
        int replySourcePort,
        int zone,
        long id,
        int status,
        boolean hasCounters,
        long originalPackets,
        long originalBytes,
        long replyPackets,
        long replyBytes,
        long startNanos) {

    /** IPS_DYING (include/uapi/linux/netfilter/nf_conntrack_common.h): a delete is under way. */
    public static final int STATUS_DYING = 1 << 9;

    public boolean dying() {
        return (status & STATUS_DYING) != 0;
    }
}
