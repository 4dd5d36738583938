package org.gleaner.collectors.syscallio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gleaner.collectors.jna.NetlinkSockets;
import org.gleaner.collectors.netlink.NetlinkSocket;
import org.gleaner.collectors.netlink.NotificationReader;

/**
 * A generic-netlink socket registered with the kernel's taskstats interface for the exits of
 * every task on every possible CPU (Documentation/accounting/taskstats.rst). The kernel sends
 * exit records only to sockets registered for the CPU the task exits on, so the mask covers all
 * of /sys/devices/system/cpu/possible. Needs CAP_NET_ADMIN.
 */
final class TaskstatsSocket implements NotificationReader.Source, AutoCloseable {
    private static final int NLM_F_ACK = 4;
    /**
     * How long a blocking receive waits: an idle listener is woken by {@link #wake} when a
     * cycle needs it or when it should stop, so this only bounds how late it notices a stop whose
     * wake-up could not be queued. Every timeout wakes the JVM for nothing: a one-second timeout
     * cost the agent 4 ms of CPU per 10 s cycle on a quiet machine.
     */
    private static final long RECEIVE_TIMEOUT_MICROS = 30_000_000;
    private static final int SETUP_ATTEMPTS = 250;

    /** {@link #receive} result: the kernel dropped notifications because the socket was full. */
    static final int OVERFLOW = NetlinkSocket.OVERFLOW;

    private final NetlinkSocket socket;
    private final int familyId;
    private final String cpuList;
    private final ByteBuffer setupBuffer = ByteBuffer.allocateDirect(16384);
    private int sequence;

    private TaskstatsSocket(NetlinkSocket socket, int receiveBufferBytes) throws IOException {
        this.socket = socket;
        socket.setReceiveBuffer(receiveBufferBytes);
        socket.setReceiveTimeout(RECEIVE_TIMEOUT_MICROS);
        socket.bind();
        familyId = resolveFamily();
        cpuList = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
        byte[] register = TaskstatsMessages.listenerRequest(familyId, ++sequence, cpuList, true);
        register[6] |= NLM_F_ACK; // low byte of nlmsg_flags (little endian)
        awaitAck(send(register), "registering for task exits on CPUs " + cpuList);
    }

    /** Opens, resolves the TASKSTATS family and registers for exits on all CPUs. */
    static TaskstatsSocket open(int receiveBufferBytes) throws IOException {
        NetlinkSocket socket = NetlinkSocket.open(NetlinkSockets.NETLINK_GENERIC, "the taskstats socket",
                " (taskstats listeners need CAP_NET_ADMIN: run as root)");
        try {
            return new TaskstatsSocket(socket, receiveBufferBytes);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    int familyId() {
        return familyId;
    }

    /** The receive buffer size the kernel granted (it doubles the request for bookkeeping). */
    int receiveBufferBytes() {
        return socket.receiveBufferBytes();
    }

    /** See {@link NetlinkSocket#receive}. */
    @Override
    public int receive(ByteBuffer buffer, boolean wait) throws IOException {
        return socket.receive(buffer, wait);
    }

    /** See {@link NetlinkSocket#wake}: {@link TaskstatsMessages#parse} passes over the no-op message. */
    @Override
    public void wake() {
        socket.wake();
    }

    @Override
    public void close() {
        try {
            send(TaskstatsMessages.listenerRequest(familyId, ++sequence, cpuList, false));
        } catch (IOException e) {
            // the kernel drops listeners whose socket is closed on its next send attempt
        } finally {
            socket.close();
        }
    }

    private int send(byte[] message) throws IOException {
        socket.send(message);
        return ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).getInt(8);
    }

    private int resolveFamily() throws IOException {
        send(TaskstatsMessages.getFamilyRequest(++sequence));
        for (int attempt = 0; attempt < SETUP_ATTEMPTS; attempt++) {
            if (receive(setupBuffer, true) > 0) {
                int id = TaskstatsMessages.familyId(setupBuffer);
                if (id < 0) {
                    throw socket.failure("looking up the TASKSTATS generic netlink family", -id);
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
                    throw socket.failure(what, -error);
                }
                return;
            }
        }
        throw new IOException(what + ": the kernel did not acknowledge (sequence " + requestSequence + ")");
    }
}
