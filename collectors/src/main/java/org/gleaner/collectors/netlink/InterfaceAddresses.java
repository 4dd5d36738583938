package org.gleaner.collectors.netlink;

import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The addresses of a namespace's interfaces, through rtnetlink (rtnetlink(7)): an RTM_GETADDR dump
 * answered by RTM_NEWADDR messages of struct ifaddrmsg (8 bytes) and attributes. IFA_LOCAL is the
 * interface's own address; IFA_ADDRESS is the same except on point-to-point links, where it is the
 * far end, so it counts only when IFA_LOCAL is absent (always for IPv6). Pure.
 */
public final class InterfaceAddresses {
    static final int RTM_NEWADDR = 20;
    static final int RTM_GETADDR = 22;
    static final int IFADDRMSG = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;

    private InterfaceAddresses() {}

    /** RTM_GETADDR dump request for every family. */
    public static byte[] dumpRequest(int sequence) {
        return NetlinkMessages.request(RTM_GETADDR, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_DUMP, sequence, new byte[IFADDRMSG]);
    }

    /**
     * Adds the addresses of one reply datagram to {@code into} (each wrapped as a 4- or 16-byte
     * buffer). Returns 1 at the end of the dump, a negative errno on an error, else 0.
     */
    public static int parse(ByteBuffer datagram, Set<ByteBuffer> into) {
        int[] result = {0};
        NetlinkMessages.walk(datagram, (buffer, type, flags, payload, end) -> {
            if (type == NetlinkMessages.NLMSG_DONE) {
                result[0] = 1;
            } else if (type == NetlinkMessages.NLMSG_ERROR) {
                Integer code = NetlinkMessages.errorCode(buffer, payload, end);
                result[0] = code == null || code == 0 ? result[0] : code;
            } else if (type == RTM_NEWADDR && end - payload >= IFADDRMSG) {
                var attributes = NetlinkAttributes.walk(buffer, payload + IFADDRMSG, end);
                var address = attributes.first(IFA_LOCAL);
                if (address == null) {
                    address = attributes.first(IFA_ADDRESS);
                }
                if (address != null && (address.valueLength() == 4 || address.valueLength() == 16)) {
                    byte[] bytes = new byte[address.valueLength()];
                    buffer.get(address.valueOffset(), bytes);
                    into.add(ByteBuffer.wrap(bytes));
                }
            }
        });
        return result[0];
    }
}
