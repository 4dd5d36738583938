package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;

/**
 * The socket calls of a netlink client (socket(2), bind(2), sendto(2), recv(2), setsockopt(2)).
 * Addresses and option values are passed as raw bytes in host order: {@code struct sockaddr_nl}
 * is {u16 family, u16 pad, u32 portid, u32 groups}, see netlink(7).
 */
public interface NetlinkSockets extends Library {
    NetlinkSockets INSTANCE = Native.load("c", NetlinkSockets.class);

    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_GENERIC = 16;
    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    int SO_RCVTIMEO = 20;
    int SO_RCVBUFFORCE = 33;
    int MSG_DONTWAIT = 0x40;
    int EINTR = 4;
    int EAGAIN = 11;
    int EPERM = 1;
    int ENOBUFS = 105;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int bind(int fd, byte[] address, int addressLength) throws LastErrorException;

    long sendto(int fd, byte[] message, long length, int flags, byte[] address, int addressLength)
            throws LastErrorException;

    /** {@code buffer} must be direct: the kernel writes into its memory. */
    long recv(int fd, ByteBuffer buffer, long length, int flags) throws LastErrorException;

    int setsockopt(int fd, int level, int name, byte[] value, int valueLength) throws LastErrorException;

    int getsockopt(int fd, int level, int name, byte[] value, int[] valueLength) throws LastErrorException;
}
