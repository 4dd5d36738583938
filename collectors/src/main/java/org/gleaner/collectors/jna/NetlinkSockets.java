package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.nio.ByteBuffer;

/**
 * The socket calls of a netlink client (socket(2), bind(2), getsockname(2), sendto(2), recv(2),
 * setsockopt(2), and setns(2) to create a socket in another network namespace),
 * direct-mapped: recv runs once per task exit on the machine, where an interface proxy and an
 * exception per EAGAIN would cost several times the call itself. Addresses and option values are
 * passed as raw bytes in host order: {@code struct sockaddr_nl} is {u16 family, u16 pad, u32
 * portid, u32 groups}, see netlink(7).
 */
public final class NetlinkSockets {
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_NETFILTER = 12;
    public static final int NETLINK_GENERIC = 16;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_BROADCAST_ERROR = 4;
    public static final int NETLINK_NO_ENOBUFS = 5;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOBUFS = 105;

    static {
        Native.register("c");
    }

    private NetlinkSockets() {}

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    public static native int bind(int fd, byte[] address, int addressLength) throws LastErrorException;

    /** {@code addressLength} holds the size of {@code address} and receives the address's length. */
    public static native int getsockname(int fd, byte[] address, int[] addressLength) throws LastErrorException;

    public static native long sendto(int fd, byte[] message, long length, int flags, byte[] address, int addressLength)
            throws LastErrorException;

    /**
     * Returns the length received, or -1 with the error in {@link Native#getLastError()} (no
     * exception: EAGAIN is the common case). {@code buffer} must be direct.
     */
    public static native long recv(int fd, ByteBuffer buffer, long length, int flags);

    public static native int setsockopt(int fd, int level, int name, byte[] value, int valueLength) throws LastErrorException;

    /** Moves the calling thread into the namespace {@code fd} refers to. */
    public static native int setns(int fd, int namespaceType) throws LastErrorException;

    public static native int getsockopt(int fd, int level, int name, byte[] value, int[] valueLength) throws LastErrorException;
}
