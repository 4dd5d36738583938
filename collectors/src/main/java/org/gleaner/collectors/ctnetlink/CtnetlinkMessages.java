package org.gleaner.collectors.ctnetlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.gleaner.collectors.netlink.NetlinkAttributes;
import org.gleaner.collectors.netlink.NetlinkAttributes.Attribute;
import org.gleaner.collectors.netlink.NetlinkMessages;

/**
 * Builds ctnetlink requests and parses what the kernel sends back (nfnetlink_conntrack.h and
 * net/netfilter/nf_conntrack_netlink.c): a message is nlmsghdr, nfgenmsg (u8 family, u8 version,
 * be16 resource id) and attributes whose values are big-endian. Pure: malformed or truncated
 * input is counted, never thrown.
 */
public final class CtnetlinkMessages {
    static final int NFNL_SUBSYS_CTNETLINK = 1;
    static final int MSG_NEW = NFNL_SUBSYS_CTNETLINK << 8;
    static final int MSG_GET = MSG_NEW | 1;
    static final int MSG_DELETE = MSG_NEW | 2;
    static final int NFGEN_HEADER = 4;

    static final int CTA_TUPLE_ORIG = 1;
    static final int CTA_TUPLE_REPLY = 2;
    static final int CTA_STATUS = 3;
    static final int CTA_COUNTERS_ORIG = 9;
    static final int CTA_COUNTERS_REPLY = 10;
    static final int CTA_ID = 12;
    static final int CTA_ZONE = 18;
    static final int CTA_TIMESTAMP = 20;
    static final int CTA_TUPLE_IP = 1;
    static final int CTA_TUPLE_PROTO = 2;
    static final int CTA_TUPLE_ZONE = 3;
    static final int CTA_IP_V4_SRC = 1;
    static final int CTA_IP_V4_DST = 2;
    static final int CTA_IP_V6_SRC = 3;
    static final int CTA_IP_V6_DST = 4;
    static final int CTA_PROTO_NUM = 1;
    static final int CTA_PROTO_SRC_PORT = 2;
    static final int CTA_PROTO_DST_PORT = 3;
    static final int CTA_PROTO_ICMP_ID = 4;
    static final int CTA_PROTO_ICMP_TYPE = 5;
    static final int CTA_PROTO_ICMP_CODE = 6;
    static final int CTA_PROTO_ICMPV6_ID = 7;
    static final int CTA_PROTO_ICMPV6_TYPE = 8;
    static final int CTA_PROTO_ICMPV6_CODE = 9;
    static final int CTA_COUNTERS_PACKETS = 1;
    static final int CTA_COUNTERS_BYTES = 2;
    static final int CTA_TIMESTAMP_START = 1;

    /** Multicast group of DESTROY events (NFNLGRP_CONNTRACK_DESTROY). */
    public static final int GROUP_DESTROY = 3;

    /** Receives each entry of a datagram. */
    public interface FlowVisitor {
        void flow(Flow flow);
    }

    /** What a datagram held besides entries: the end of a dump, an error (negative errno), malformed messages. */
    public record Summary(int flows, boolean done, int error, int malformed) {}

    private CtnetlinkMessages() {}

    /** IPCTNL_MSG_CT_GET with NLM_F_DUMP: every entry of the socket's namespace ({@code family} 0: IPv4 and IPv6). */
    public static byte[] dumpRequest(int sequence, int family) {
        byte[] nfgen = {(byte) family, 0, 0, 0};
        return NetlinkMessages.request(MSG_GET, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_DUMP, sequence, nfgen);
    }

    /** Parses one datagram, giving every entry (dump reply or event) to {@code visitor}. */
    public static Summary parse(ByteBuffer datagram, FlowVisitor visitor) {
        int[] flows = {0};
        int[] malformed = {0};
        boolean[] done = {false};
        int[] error = {0};
        boolean framed = NetlinkMessages.walk(datagram, (buffer, type, flags, payload, end) -> {
            if (type == NetlinkMessages.NLMSG_DONE) {
                done[0] = true;
            } else if (type == NetlinkMessages.NLMSG_ERROR) {
                Integer code = NetlinkMessages.errorCode(buffer, payload, end);
                if (code == null) {
                    malformed[0]++;
                } else if (code != 0) {
                    error[0] = code;
                }
            } else if (type == MSG_NEW || type == MSG_DELETE) {
                Flow flow = parseFlow(buffer, type == MSG_DELETE, payload, end);
                if (flow == null) {
                    malformed[0]++;
                } else {
                    flows[0]++;
                    visitor.flow(flow);
                }
            }
        });
        return new Summary(flows[0], done[0], error[0], malformed[0] + (framed ? 0 : 1));
    }

    /** One entry; null if it lacks an original tuple with addresses and protocol, or is cut. */
    static Flow parseFlow(ByteBuffer buffer, boolean destroyed, int payload, int end) {
        if (end - payload < NFGEN_HEADER) {
            return null;
        }
        int family = Byte.toUnsignedInt(buffer.get(payload));
        var top = NetlinkAttributes.walk(buffer, payload + NFGEN_HEADER, end);
        if (!top.complete()) {
            return null;
        }
        Tuple original = tuple(buffer, top.first(CTA_TUPLE_ORIG));
        Tuple reply = tuple(buffer, top.first(CTA_TUPLE_REPLY));
        if (original == null || reply != null && (reply.source == null || reply.destination == null)
                || original.source == null || original.destination == null || original.protocol < 0
                || original.source.length != original.destination.length) {
            return null;
        }
        long[] originalCounters = counters(buffer, top.first(CTA_COUNTERS_ORIG));
        long[] replyCounters = counters(buffer, top.first(CTA_COUNTERS_REPLY));
        boolean hasCounters = originalCounters != null && replyCounters != null;
        if (!hasCounters) {
            originalCounters = replyCounters = new long[2];
        }
        Attribute zone = top.first(CTA_ZONE);
        Attribute id = top.first(CTA_ID);
        Attribute status = top.first(CTA_STATUS);
        return new Flow(destroyed, family, original.protocol, original.source, original.destination,
                original.sourcePort, original.destinationPort,
                reply == null ? original.destination : reply.source, reply == null ? original.source : reply.destination,
                reply == null ? original.destinationPort : reply.sourcePort,
                zone != null && zone.valueLength() >= 2 ? be16(buffer, zone) : original.zone,
                id != null && id.valueLength() >= 4 ? Integer.toUnsignedLong(be32(buffer, id)) : -1,
                status != null && status.valueLength() >= 4 ? be32(buffer, status) : 0,
                hasCounters, originalCounters[0], originalCounters[1], replyCounters[0], replyCounters[1],
                start(buffer, top.first(CTA_TIMESTAMP)));
    }

    private static final class Tuple {
        byte[] source;
        byte[] destination;
        int protocol = -1;
        int sourcePort;
        int destinationPort;
        int zone;
    }

    private static Tuple tuple(ByteBuffer buffer, Attribute nest) {
        if (nest == null) {
            return null;
        }
        Tuple tuple = new Tuple();
        var parts = nested(buffer, nest);
        for (Attribute part : parts.attributes()) {
            if (part.type() == CTA_TUPLE_IP) {
                for (Attribute address : nested(buffer, part).attributes()) {
                    switch (address.type()) {
                        case CTA_IP_V4_SRC -> tuple.source = address(buffer, address, 4);
                        case CTA_IP_V4_DST -> tuple.destination = address(buffer, address, 4);
                        case CTA_IP_V6_SRC -> tuple.source = address(buffer, address, 16);
                        case CTA_IP_V6_DST -> tuple.destination = address(buffer, address, 16);
                        default -> { }
                    }
                }
            } else if (part.type() == CTA_TUPLE_PROTO) {
                for (Attribute field : nested(buffer, part).attributes()) {
                    switch (field.type()) {
                        case CTA_PROTO_NUM -> tuple.protocol = field.valueLength() >= 1 ? Byte.toUnsignedInt(buffer.get(field.valueOffset())) : -1;
                        case CTA_PROTO_SRC_PORT, CTA_PROTO_ICMP_ID, CTA_PROTO_ICMPV6_ID -> tuple.sourcePort = be16(buffer, field);
                        case CTA_PROTO_DST_PORT -> tuple.destinationPort = be16(buffer, field);
                        case CTA_PROTO_ICMP_TYPE, CTA_PROTO_ICMPV6_TYPE -> tuple.destinationPort |= u8(buffer, field) << 8;
                        case CTA_PROTO_ICMP_CODE, CTA_PROTO_ICMPV6_CODE -> tuple.destinationPort |= u8(buffer, field);
                        default -> { }
                    }
                }
            } else if (part.type() == CTA_TUPLE_ZONE) {
                tuple.zone = be16(buffer, part);
            }
        }
        return tuple;
    }

    /** The address, or null if it does not have the size its type says: an entry with it is malformed. */
    private static byte[] address(ByteBuffer buffer, Attribute attribute, int length) {
        if (attribute.valueLength() != length) {
            return null;
        }
        byte[] address = new byte[length];
        buffer.get(attribute.valueOffset(), address);
        return address;
    }

    /** {packets, bytes}, or null if absent or incomplete. */
    private static long[] counters(ByteBuffer buffer, Attribute nest) {
        if (nest == null) {
            return null;
        }
        Attribute packets = nested(buffer, nest).first(CTA_COUNTERS_PACKETS);
        Attribute bytes = nested(buffer, nest).first(CTA_COUNTERS_BYTES);
        if (packets == null || bytes == null || packets.valueLength() < 8 || bytes.valueLength() < 8) {
            return null;
        }
        return new long[] {be64(buffer, packets), be64(buffer, bytes)};
    }

    private static long start(ByteBuffer buffer, Attribute nest) {
        if (nest == null) {
            return 0;
        }
        Attribute start = nested(buffer, nest).first(CTA_TIMESTAMP_START);
        return start != null && start.valueLength() >= 8 ? be64(buffer, start) : 0;
    }

    private static NetlinkAttributes.Walk nested(ByteBuffer buffer, Attribute nest) {
        return NetlinkAttributes.walk(buffer, nest.valueOffset(), nest.valueOffset() + nest.valueLength());
    }

    private static int u8(ByteBuffer buffer, Attribute attribute) {
        return attribute.valueLength() >= 1 ? Byte.toUnsignedInt(buffer.get(attribute.valueOffset())) : 0;
    }

    private static int be16(ByteBuffer buffer, Attribute attribute) {
        if (attribute.valueLength() < 2) {
            return 0;
        }
        short value = buffer.getShort(attribute.valueOffset());
        return Short.toUnsignedInt(buffer.order() == ByteOrder.BIG_ENDIAN ? value : Short.reverseBytes(value));
    }

    private static int be32(ByteBuffer buffer, Attribute attribute) {
        int value = buffer.getInt(attribute.valueOffset());
        return buffer.order() == ByteOrder.BIG_ENDIAN ? value : Integer.reverseBytes(value);
    }

    private static long be64(ByteBuffer buffer, Attribute attribute) {
        long value = buffer.getLong(attribute.valueOffset());
        return buffer.order() == ByteOrder.BIG_ENDIAN ? value : Long.reverseBytes(value);
    }
}
