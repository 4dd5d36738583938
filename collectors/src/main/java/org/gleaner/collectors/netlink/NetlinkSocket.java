package org.gleaner.collectors.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.gleaner.collectors.jna.LibC;
import org.gleaner.collectors.jna.NetlinkSockets;

/**
 * One netlink socket talking to the kernel (netlink(7)): options, bind, send, receive with
 * ENOBUFS reported as a value, and errors as one line naming what failed and why. A socket
 * belongs to the network namespace it was created in, for its whole life.
 */
public final class NetlinkSocket implements NotificationReader.Source, AutoCloseable {
    /** {@link #receive} result: the kernel dropped messages because the socket was full (ENOBUFS). */
    public static final int OVERFLOW = -1;

    private static final int SOCKADDR_NL_LENGTH = 12;

    private final int fd;
    private final String purpose;
    private final String permissionHint;
    /** The socket's own address (the port id the kernel bound it to), for {@link #wake}. */
    private final byte[] ownAddress = new byte[SOCKADDR_NL_LENGTH];
    private final byte[] wakeMessage = ByteBuffer.allocate(NetlinkMessages.HEADER).order(ByteOrder.nativeOrder())
            .putInt(NetlinkMessages.HEADER).putShort((short) NetlinkMessages.NLMSG_NOOP).array();

    private NetlinkSocket(int fd, String purpose, String permissionHint) {
        this.fd = fd;
        this.purpose = purpose;
        this.permissionHint = permissionHint;
    }

    /**
     * Opens a socket of {@code protocol} in the caller's network namespace. {@code purpose} names it
     * in errors ("the taskstats socket"); {@code permissionHint} is added to EPERM errors.
     */
    public static NetlinkSocket open(int protocol, String purpose, String permissionHint) throws IOException {
        try {
            int fd = NetlinkSockets.socket(NetlinkSockets.AF_NETLINK,
                    NetlinkSockets.SOCK_RAW | NetlinkSockets.SOCK_CLOEXEC, protocol);
            return new NetlinkSocket(fd, purpose, permissionHint);
        } catch (LastErrorException e) {
            throw failure("cannot open " + purpose, e.getErrorCode(), permissionHint);
        }
    }

    /** Opens a socket of {@code protocol} in the network namespace {@code namespace}, see {@link NetworkNamespace}. */
    public static NetlinkSocket openIn(Path namespace, int protocol, String purpose, String permissionHint) throws IOException {
        return NetworkNamespace.call(namespace, () -> open(protocol, purpose, permissionHint));
    }

    /** Asks for a receive buffer of {@code bytes}, beyond net.core.rmem_max when allowed (socket(7)). */
    public void setReceiveBuffer(int bytes) throws IOException {
        byte[] value = intValue(bytes);
        try {
            // SO_RCVBUFFORCE passes net.core.rmem_max; it needs CAP_NET_ADMIN.
            NetlinkSockets.setsockopt(fd, NetlinkSockets.SOL_SOCKET, NetlinkSockets.SO_RCVBUFFORCE, value, 4);
        } catch (LastErrorException e) {
            setOption(NetlinkSockets.SOL_SOCKET, NetlinkSockets.SO_RCVBUF, bytes, "setting the receive buffer");
        }
    }

    /** The receive buffer size the kernel granted (it doubles the request for bookkeeping). */
    public int receiveBufferBytes() {
        byte[] value = new byte[4];
        NetlinkSockets.getsockopt(fd, NetlinkSockets.SOL_SOCKET, NetlinkSockets.SO_RCVBUF, value, new int[] {4});
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
    }

    /** A blocking receive returns empty after {@code micros} without data. */
    public void setReceiveTimeout(long micros) throws IOException {
        ByteBuffer timeout = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        timeout.putLong(micros / 1_000_000).putLong(micros % 1_000_000); // struct timeval {tv_sec, tv_usec}
        try {
            NetlinkSockets.setsockopt(fd, NetlinkSockets.SOL_SOCKET, NetlinkSockets.SO_RCVTIMEO, timeout.array(), 16);
        } catch (LastErrorException e) {
            throw failure("setting the receive timeout", e.getErrorCode());
        }
    }

    /** An integer option, such as SOL_NETLINK NETLINK_ADD_MEMBERSHIP with a group number. */
    public void setOption(int level, int option, int value, String what) throws IOException {
        try {
            NetlinkSockets.setsockopt(fd, level, option, intValue(value), 4);
        } catch (LastErrorException e) {
            throw failure(what, e.getErrorCode());
        }
    }

    /** Binds to a kernel-chosen port id, joining no multicast group. */
    public void bind() throws IOException {
        ByteBuffer address = ByteBuffer.allocate(SOCKADDR_NL_LENGTH).order(ByteOrder.nativeOrder());
        address.putShort((short) NetlinkSockets.AF_NETLINK);
        try {
            NetlinkSockets.bind(fd, address.array(), SOCKADDR_NL_LENGTH);
            NetlinkSockets.getsockname(fd, ownAddress, new int[] {SOCKADDR_NL_LENGTH});
        } catch (LastErrorException e) {
            throw failure("binding", e.getErrorCode());
        }
    }

    /**
     * Ends a blocking {@link #receive} now: queues a no-op message (netlink(7) NLMSG_NOOP, which the
     * parsers pass over) to this socket itself, behind the messages already queued. Best effort:
     * if it cannot be sent, the receive ends at its timeout.
     */
    @Override
    public void wake() {
        try {
            NetlinkSockets.sendto(fd, wakeMessage, wakeMessage.length, NetlinkSockets.MSG_DONTWAIT, ownAddress, SOCKADDR_NL_LENGTH);
        } catch (LastErrorException full) {
            // the queue is full (the reader is busy and will find it empty soon) or the socket is closing
        }
    }

    /** Sends one message to the kernel. */
    public void send(byte[] message) throws IOException {
        byte[] kernel = new byte[SOCKADDR_NL_LENGTH];
        kernel[0] = (byte) NetlinkSockets.AF_NETLINK;
        try {
            NetlinkSockets.sendto(fd, message, message.length, 0, kernel, SOCKADDR_NL_LENGTH);
        } catch (LastErrorException e) {
            throw failure("sending", e.getErrorCode());
        }
    }

    /**
     * Receives one datagram into {@code buffer} (direct), leaving it flipped for reading. Returns
     * its length; 0 if none was queued (with {@code wait}: none came within the receive timeout);
     * or {@link #OVERFLOW} if the kernel had to drop messages (ENOBUFS).
     */
    @Override
    public int receive(ByteBuffer buffer, boolean wait) throws IOException {
        buffer.clear();
        long length = NetlinkSockets.recv(fd, buffer, buffer.capacity(), wait ? 0 : NetlinkSockets.MSG_DONTWAIT);
        if (length < 0) {
            int errno = Native.getLastError();
            buffer.limit(0);
            return switch (errno) {
                case NetlinkSockets.EAGAIN, NetlinkSockets.EINTR -> 0;
                case NetlinkSockets.ENOBUFS -> OVERFLOW;
                default -> throw failure("receiving", errno);
            };
        }
        buffer.limit((int) Math.min(length, buffer.capacity()));
        return buffer.limit();
    }

    /** "{what} on {purpose}: {strerror}", with the permission hint for EPERM. */
    public IOException failure(String what, int errno) {
        return failure(what + " on " + purpose, errno, permissionHint);
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }

    /** The C library's text for {@code errno}. */
    public static String strerror(int errno) {
        return LibC.INSTANCE.strerror(errno);
    }

    private static IOException failure(String what, int errno, String permissionHint) {
        String reason = strerror(errno);
        if (errno == NetlinkSockets.EPERM) {
            reason += permissionHint;
        }
        return new IOException(what + ": " + reason);
    }

    private static byte[] intValue(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }
}
