package org.gleaner.collectors.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Netlink message framing (struct nlmsghdr: u32 length including the 16-byte header, u16 type, u16
 * flags, u32 sequence, u32 port id, host order; messages aligned to 4; see netlink(7)). Pure.
 */
public final class NetlinkMessages {
    public static final int HEADER = 16;
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLM_F_REQUEST = 1;
    public static final int NLM_F_ACK = 4;
    public static final int NLM_F_DUMP = 0x300;

    /** Receives each well-framed message of a datagram: its payload lies between the two offsets. */
    public interface Visitor {
        void message(ByteBuffer buffer, int type, int flags, int payloadOffset, int payloadEnd);
    }

    private NetlinkMessages() {}

    /**
     * Visits the messages of {@code datagram} (from its position to its limit, read in host
     * order). Returns false if bytes were left that do not frame a message (cut or corrupt).
     */
    public static boolean walk(ByteBuffer datagram, Visitor visitor) {
        ByteBuffer buffer = datagram.duplicate().order(ByteOrder.nativeOrder());
        int offset = buffer.position();
        while (offset + HEADER <= buffer.limit()) {
            int length = buffer.getInt(offset);
            if (length < HEADER || offset + length > buffer.limit()) {
                return false;
            }
            int type = Short.toUnsignedInt(buffer.getShort(offset + 4));
            int flags = Short.toUnsignedInt(buffer.getShort(offset + 6));
            visitor.message(buffer, type, flags, offset + HEADER, offset + length);
            offset += NetlinkAttributes.align(length);
        }
        return offset >= buffer.limit();
    }

    /** The error of an NLMSG_ERROR payload: 0 for an acknowledgement, a negative errno, or null if too short. */
    public static Integer errorCode(ByteBuffer buffer, int payloadOffset, int payloadEnd) {
        return payloadEnd - payloadOffset >= 4 ? buffer.getInt(payloadOffset) : null;
    }

    /** A request message: header with {@code type}, {@code flags} and {@code sequence}, then {@code payload}. */
    public static byte[] request(int type, int flags, int sequence, byte[] payload) {
        int length = HEADER + payload.length;
        ByteBuffer message = ByteBuffer.allocate(NetlinkAttributes.align(length)).order(ByteOrder.nativeOrder());
        message.putInt(length).putShort((short) type).putShort((short) flags).putInt(sequence).putInt(0).put(payload);
        return message.array();
    }
}
