package org.gleaner.collectors.syscallio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gleaner.collectors.jna.LibC;
import org.gleaner.collectors.jna.NetlinkSockets;

/**
 * A generic-netlink socket registered with the kernel's taskstats interface for the exits of
 * every task on every possible CPU (Documentation/accounting/taskstats.rst). The kernel sends
 * exit records only to sockets registered for the CPU the task exits on, so the mask covers all
 * of /sys/devices/system/cpu/possible. Needs CAP_NET_ADMIN.
 */
final class TaskstatsSocket implements AutoCloseable {
    private static final int NLM_F_ACK = 4;
    private static final int SOCKADDR_NL_LENGTH = 12;
    /**
     * How long a blocking receive waits: an idle listener is woken by {@link #wakeListener} when a
     * cycle needs it, so this only bounds how late it notices that it should stop.
     */
    private static final long RECEIVE_TIMEOUT_SECONDS = 1;
    private static final int NLMSG_NOOP = 1;
    private static final int NLMSG_HEADER = 16;
    private static final int SETUP_ATTEMPTS = 250;

    /** {@link #receive} result: the kernel dropped notifications because the socket was full. */
    static final int OVERFLOW = -1;

    private final int fd;
    private final int familyId;
    private final String cpuList;
    private final ByteBuffer setupBuffer = ByteBuffer.allocateDirect(16384);
    /** The socket's own address (the port id the kernel bound it to), for {@link #wakeListener}. */
    private final byte[] ownAddress;
    private final byte[] wakeMessage = ByteBuffer.allocate(NLMSG_HEADER).order(ByteOrder.nativeOrder())
            .putInt(NLMSG_HEADER).putShort((short) NLMSG_NOOP).array();
    private int sequence;

    private TaskstatsSocket(int fd, int receiveBufferBytes) throws IOException {
        this.fd = fd;
        setReceiveBuffer(receiveBufferBytes);
        ByteBuffer timeout = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        timeout.putLong(RECEIVE_TIMEOUT_SECONDS).putLong(0); // struct timeval {tv_sec, tv_usec}
        NetlinkSockets.setsockopt(fd, NetlinkSockets.SOL_SOCKET, NetlinkSockets.SO_RCVTIMEO, timeout.array(), 16);
        ByteBuffer address = ByteBuffer.allocate(SOCKADDR_NL_LENGTH).order(ByteOrder.nativeOrder());
        address.putShort((short) NetlinkSockets.AF_NETLINK);
        NetlinkSockets.bind(fd, address.array(), SOCKADDR_NL_LENGTH);
        ownAddress = new byte[SOCKADDR_NL_LENGTH];
        NetlinkSockets.getsockname(fd, ownAddress, new int[] {SOCKADDR_NL_LENGTH});
        familyId = resolveFamily();
        cpuList = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
        byte[] register = TaskstatsMessages.listenerRequest(familyId, ++sequence, cpuList, true);
        register[6] |= NLM_F_ACK; // low byte of nlmsg_flags (little endian)
        awaitAck(send(register), "registering for task exits on CPUs " + cpuList);
    }

    /** Opens, resolves the TASKSTATS family and registers for exits on all CPUs. */
    static TaskstatsSocket open(int receiveBufferBytes) throws IOException {
        int fd;
        try {
            fd = NetlinkSockets.socket(NetlinkSockets.AF_NETLINK,
                    NetlinkSockets.SOCK_RAW | NetlinkSockets.SOCK_CLOEXEC, NetlinkSockets.NETLINK_GENERIC);
        } catch (LastErrorException e) {
            throw failure("cannot open a generic netlink socket", e.getErrorCode());
        }
        try {
            return new TaskstatsSocket(fd, receiveBufferBytes);
        } catch (IOException | RuntimeException e) {
            LibC.INSTANCE.close(fd);
            if (e instanceof LastErrorException errno) {
                throw failure("cannot set up the taskstats socket", errno.getErrorCode());
            }
            throw e;
        }
    }

    int familyId() {
        return familyId;
    }

    /** The receive buffer size the kernel granted (it doubles the request for bookkeeping). */
    int receiveBufferBytes() {
        byte[] value = new byte[4];
        NetlinkSockets.getsockopt(fd, NetlinkSockets.SOL_SOCKET, NetlinkSockets.SO_RCVBUF, value, new int[] {4});
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
    }

    /**
     * Receives one datagram into {@code buffer} (direct), leaving it flipped for reading. Returns
     * its length; 0 if none was queued (with {@code wait}: none came within the receive timeout);
     * or {@link #OVERFLOW} if the kernel had to drop notifications (ENOBUFS).
     */
    int receive(ByteBuffer buffer, boolean wait) throws IOException {
        buffer.clear();
        long length = NetlinkSockets.recv(fd, buffer, buffer.capacity(), wait ? 0 : NetlinkSockets.MSG_DONTWAIT);
        if (length < 0) {
            int errno = Native.getLastError();
            buffer.limit(0);
            return switch (errno) {
                case NetlinkSockets.EAGAIN, NetlinkSockets.EINTR -> 0;
                case NetlinkSockets.ENOBUFS -> OVERFLOW;
                default -> throw failure("cannot receive from the taskstats socket", errno);
            };
        }
        buffer.limit((int) Math.min(length, buffer.capacity()));
        return buffer.limit();
    }

    /**
     * Ends the listener's blocking receive now: queues a no-op message (netlink(7) NLMSG_NOOP, which
     * {@link TaskstatsMessages#parse} passes over) to this socket itself, behind the notifications
     * already queued. Best effort: if it cannot be sent, the receive ends at its timeout.
     */
    void wakeListener() {
        try {
            NetlinkSockets.sendto(fd, wakeMessage, wakeMessage.length, NetlinkSockets.MSG_DONTWAIT, ownAddress, SOCKADDR_NL_LENGTH);
        } catch (LastErrorException full) {
            // the queue is full (the listener is busy and will find it empty soon) or the socket is closing
        }
    }

    @Override
    public void close() {
        try {
            send(TaskstatsMessages.listenerRequest(familyId, ++sequence, cpuList, false));
        } catch (IOException e) {
            // the kernel drops listeners whose socket is closed on its next send attempt
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    private void setReceiveBuffer(int bytes) {
        byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(bytes).array();
        try {
            // SO_RCVBUFFORCE passes net.core.rmem_max (socket(7)); it needs CAP_NET_ADMIN.
            NetlinkSockets.setsockopt(fd, NetlinkSockets.SOL_SOCKET, NetlinkSockets.SO_RCVBUFFORCE, value, 4);
        } catch (LastErrorException e) {
            NetlinkSockets.setsockopt(fd, NetlinkSockets.SOL_SOCKET, NetlinkSockets.SO_RCVBUF, value, 4);
        }
    }

    private int send(byte[] message) throws IOException {
        byte[] kernel = new byte[SOCKADDR_NL_LENGTH];
        kernel[0] = (byte) NetlinkSockets.AF_NETLINK;
        try {
            NetlinkSockets.sendto(fd, message, message.length, 0, kernel, SOCKADDR_NL_LENGTH);
        } catch (LastErrorException e) {
            throw failure("cannot send to the kernel's generic netlink", e.getErrorCode());
        }
        return ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).getInt(8);
    }

    private int resolveFamily() throws IOException {
        send(TaskstatsMessages.getFamilyRequest(++sequence));
        for (int attempt = 0; attempt < SETUP_ATTEMPTS; attempt++) {
            if (receive(setupBuffer, true) > 0) {
                int id = TaskstatsMessages.familyId(setupBuffer);
                if (id < 0) {
                    throw failure("the kernel has no TASKSTATS generic netlink family", -id);
                }
                if (id > 0) {
                    return id;
                }
            }
        }
        throw new IOException("the kernel did not answer the TASKSTATS family lookup");
    }

    private void awaitAck(int requestSequence, String what) throws IOException {
        for (int attempt = 0; attempt < SETUP_ATTEMPTS; attempt++) {
            if (receive(setupBuffer, true) <= 0) {
                continue;
            }
            // Exit notifications may already arrive ahead of the acknowledgement: they are dropped,
            // like the exits of tasks that ended before registration.
            for (int error : TaskstatsMessages.parse(setupBuffer, familyId).errors()) {
                if (error != 0) {
                    throw failure(what, -error);
                }
                return;
            }
        }
        throw new IOException(what + ": the kernel did not acknowledge (sequence " + requestSequence + ")");
    }

    private static IOException failure(String what, int errno) {
        String reason = LibC.INSTANCE.strerror(errno);
        if (errno == NetlinkSockets.EPERM) {
            reason += " (taskstats listeners need CAP_NET_ADMIN: run as root)";
        }
        return new IOException(what + ": " + reason);
    }
}
