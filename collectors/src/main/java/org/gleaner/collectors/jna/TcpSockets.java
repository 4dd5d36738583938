package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;

/**
 * The socket calls of a TCP client that must see what its peer has acknowledged (socket(2),
 * connect(2), send(2), recv(2), getsockopt(2), ioctl SIOCOUTQ from tcp(7), shutdown(2)); poll and
 * close are in {@link DirectLibC}. Direct mapping: these run once per write. Calls that fail throw
 * {@link LastErrorException} with errno.
 */
public final class TcpSockets {
    static {
        Native.register(TcpSockets.class, NativeLibrary.getInstance("c"));
    }

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_ERROR = 4;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int SHUT_WR = 1;
    /** tcp(7): the bytes in the send queue not yet acknowledged by the peer (same number as TIOCOUTQ). */
    public static final long SIOCOUTQ = 0x5411;
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final int EAGAIN = 11;
    public static final int EINTR = 4;
    public static final int EINPROGRESS = 115;

    private TcpSockets() {}

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    /** {@code address} is a struct sockaddr_in or sockaddr_in6. */
    public static native int connect(int fd, byte[] address, int length) throws LastErrorException;

    public static native long send(int fd, ByteBuffer buffer, long count, int flags) throws LastErrorException;

    public static native long recv(int fd, ByteBuffer buffer, long count, int flags) throws LastErrorException;

    public static native int getsockopt(int fd, int level, int name, int[] value, int[] length) throws LastErrorException;

    public static native int ioctl(int fd, NativeLong request, int[] value) throws LastErrorException;

    public static native int shutdown(int fd, int how) throws LastErrorException;
}
