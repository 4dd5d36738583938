package org.gleaner.collectors.conntrack;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.gleaner.collectors.ctnetlink.Flow;

/**
 * What the peers gained during one interval. The peer of an entry is its remote end: when the
 * original source is one of this namespace's addresses the host opened the connection and the peer
 * is the reply source (the real endpoint after destination NAT), "out" is the original direction;
 * otherwise the peer is the original source (who opened it) and "in" is the original direction.
 * Chosen services are counted per (protocol, port) too: the port of the end that answered (the
 * reply source port, after destination NAT).
 */
final class PeerTraffic implements FlowLedger.Listener {
    private final Set<ByteBuffer> localAddresses;
    private final PeerNaming naming;
    private final Set<String> services;
    private final Map<String, long[]> peers = new HashMap<>();
    private final Map<String, Map<String, long[]>> byService = new HashMap<>();
    private final long[] total = Traffic.zero();

    /** {@code services}: "tcp_443", "udp_53"... ({@link #service}). */
    PeerTraffic(Set<ByteBuffer> localAddresses, PeerNaming naming, Set<String> services) {
        this.localAddresses = localAddresses;
        this.naming = naming;
        this.services = services;
    }

    @Override
    public void traffic(Flow flow, long originalPackets, long originalBytes, long replyPackets, long replyBytes,
            boolean started, boolean ended) {
        boolean outgoing = localAddresses.contains(ByteBuffer.wrap(flow.originalSource()));
        byte[] peer = outgoing ? flow.replySource() : flow.originalSource();
        long[] values = Traffic.zero();
        values[Traffic.BYTES_IN] = outgoing ? replyBytes : originalBytes;
        values[Traffic.BYTES_OUT] = outgoing ? originalBytes : replyBytes;
        values[Traffic.PACKETS_IN] = outgoing ? replyPackets : originalPackets;
        values[Traffic.PACKETS_OUT] = outgoing ? originalPackets : replyPackets;
        values[Traffic.FLOWS_STARTED] = started ? 1 : 0;
        values[Traffic.FLOWS_ENDED] = ended ? 1 : 0;
        String name = naming.name(peer);
        Traffic.add(peers.computeIfAbsent(name, key -> Traffic.zero()), values);
        Traffic.add(total, values);
        if (!services.isEmpty()) {
            String service = service(flow.protocol(), flow.replySourcePort());
            if (services.contains(service)) {
                Traffic.add(byService.computeIfAbsent(service, key -> new HashMap<>()).computeIfAbsent(name, key -> Traffic.zero()), values);
            }
        }
    }

    /** "tcp_443": the protocol's name (or number) and the port. */
    static String service(int protocol, int port) {
        String name = switch (protocol) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            case 136 -> "udplite";
            case 33 -> "dccp";
            default -> "proto" + protocol;
        };
        return name + "_" + port;
    }

    Map<String, long[]> peers() {
        return peers;
    }

    Map<String, Map<String, long[]>> byService() {
        return byService;
    }

    long[] total() {
        return total;
    }
}
