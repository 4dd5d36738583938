package org.gleaner.collectors.conntrack;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.gleaner.collectors.ctnetlink.CtnetlinkMessages;
import org.gleaner.collectors.ctnetlink.Flow;
import org.gleaner.collectors.jna.NetlinkSockets;
import org.gleaner.collectors.netlink.InterfaceAddresses;
import org.gleaner.collectors.netlink.NetlinkSocket;
import org.gleaner.collectors.netlink.NotificationReader;

/**
 * Exact per-peer traffic of one network namespace from its conntrack table: a plain (non-zeroing)
 * dump at each poll bills what every entry gained since the previous one, and DESTROY events bill
 * the rest of the entries that ended, including those that started and ended between two polls.
 * Events arrive on their own socket, in reliable mode (NETLINK_BROADCAST_ERROR: the kernel keeps
 * an entry and retries when the event cannot be queued, instead of dropping it) with
 * NETLINK_NO_ENOBUFS, read by a thread that only receives, parses and queues. Needs CAP_NET_ADMIN.
 */
public final class ConntrackMonitor implements AutoCloseable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String PERMISSION_HINT = " (conntrack needs CAP_NET_ADMIN: run as root)";
    private static final int DATAGRAM_BUFFER_BYTES = 1 << 16;
    private static final int DUMP_RECEIVE_BUFFER_BYTES = 1 << 20;
    /** Bounds a blocking receive of the event reader, which a poll or close wakes anyway. */
    private static final long RECEIVE_TIMEOUT_MICROS = 1_000_000;
    /** Events held between two polls; beyond this they are dropped and counted as lost. */
    private static final int MAX_QUEUED_EVENTS = 4_000_000;

    /**
     * How to name peers; which services to count on their own ("tcp_443"); the event socket's
     * receive buffer; how long a dump may take; whether to switch on accounting and events.
     */
    public record Settings(PeerNaming naming, Set<String> services, int eventBufferBytes, Duration dumpTimeout, boolean setup) {}

    /** What the peers gained since the previous poll, and the monitor's health. */
    public record Interval(long readMillis, Map<String, long[]> peers, Map<String, Map<String, long[]>> services, long[] total, Health health) {}

    /**
     * {@code dumpSeconds} (wall), {@code dumpCpuSeconds} (the polling thread's CPU, kernel time
     * included), {@code dumpEntries}, {@code withoutCounters}, {@code tracked}: of the last dump;
     * the rest are totals since the start.
     */
    public record Health(double dumpSeconds, double dumpCpuSeconds, long dumpEntries, long withoutCounters, long tracked, long events,
            long lostEvents, long malformed, long vanished, long reused) {}

    private final Settings settings;
    private final Path namespace;
    private final NetlinkSocket events;
    private final NetlinkSocket routes;
    private NetlinkSocket dumps;
    private final FlowLedger ledger = new FlowLedger();
    private final ConcurrentLinkedQueue<Flow> destroyed = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong eventCount = new AtomicLong();
    private final AtomicLong queueDrops = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final ByteBuffer dumpBuffer = ByteBuffer.allocateDirect(DATAGRAM_BUFFER_BYTES);
    private final NotificationReader reader;
    private List<Flow> seedEvents = List.of();
    private double dumpSeconds;
    private double dumpCpuSeconds;
    private int sequence;

    private ConntrackMonitor(Path namespace, Settings settings, NetlinkSocket events, NetlinkSocket routes, NetlinkSocket dumps) {
        this.namespace = namespace;
        this.settings = settings;
        this.events = events;
        this.routes = routes;
        this.dumps = dumps;
        this.reader = new NotificationReader("gleaner-conntrack-events", events, DATAGRAM_BUFFER_BYTES,
                datagram -> malformed.addAndGet(CtnetlinkMessages.parse(datagram, this::queue).malformed()));
    }

    /**
     * Subscribes to DESTROY events, then records the table as it is (traffic before this is not
     * billed). {@code namespace}: a file such as /run/netns/NAME, or null for the caller's own.
     */
    public static ConntrackMonitor open(Path namespace, Settings settings) throws IOException {
        List<NetlinkSocket> opened = new ArrayList<>();
        try {
            NetlinkSocket events = track(opened, openEventSocket(namespace, settings.eventBufferBytes()));
            NetlinkSocket routes = track(opened, NetlinkSocket.openIn(namespace, NetlinkSockets.NETLINK_ROUTE, "the rtnetlink socket", ""));
            routes.setReceiveTimeout(1_000_000);
            routes.bind();
            NetlinkSocket dumps = track(opened, openDumpSocket(namespace));
            KernelSettings.prepare(namespace, settings.setup());
            ConntrackMonitor monitor = new ConntrackMonitor(namespace, settings, events, routes, dumps);
            monitor.reader.start();
            monitor.seed();
            return monitor;
        } catch (IOException | RuntimeException e) {
            opened.forEach(NetlinkSocket::close);
            throw e;
        }
    }

    private static NetlinkSocket track(List<NetlinkSocket> opened, NetlinkSocket socket) {
        opened.add(socket);
        return socket;
    }

    private static NetlinkSocket openEventSocket(Path namespace, int bufferBytes) throws IOException {
        NetlinkSocket socket = NetlinkSocket.openIn(namespace, NetlinkSockets.NETLINK_NETFILTER, "the conntrack event socket", PERMISSION_HINT);
        try {
            socket.setReceiveBuffer(bufferBytes);
            socket.setReceiveTimeout(RECEIVE_TIMEOUT_MICROS);
            socket.setOption(NetlinkSockets.SOL_NETLINK, NetlinkSockets.NETLINK_BROADCAST_ERROR, 1, "asking for reliable events");
            socket.setOption(NetlinkSockets.SOL_NETLINK, NetlinkSockets.NETLINK_NO_ENOBUFS, 1, "asking for no ENOBUFS");
            socket.bind();
            socket.setOption(NetlinkSockets.SOL_NETLINK, NetlinkSockets.NETLINK_ADD_MEMBERSHIP, CtnetlinkMessages.GROUP_DESTROY,
                    "subscribing to conntrack DESTROY events");
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static NetlinkSocket openDumpSocket(Path namespace) throws IOException {
        NetlinkSocket socket = NetlinkSocket.openIn(namespace, NetlinkSockets.NETLINK_NETFILTER, "the conntrack dump socket", PERMISSION_HINT);
        try {
            socket.setReceiveBuffer(DUMP_RECEIVE_BUFFER_BYTES);
            socket.setReceiveTimeout(1_000_000);
            socket.bind();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void seed() throws IOException {
        FlowLedger.Listener none = (flow, op, ob, rp, rb, started, ended) -> { };
        ledger.beginDump();
        ledger.endDump(dump(none));
        awaitDrain(System.nanoTime());
        seedEvents = takeEvents();
    }

    /** Bills what happened since the previous poll. */
    public synchronized Interval poll() throws IOException {
        reader.check("the conntrack event reader" + where());
        long now = System.currentTimeMillis();
        PeerTraffic traffic = new PeerTraffic(localAddresses(), settings.naming(), settings.services());
        for (Flow flow : seedEvents) {
            ledger.destroyed(flow, false, traffic);
        }
        seedEvents = List.of();
        for (Flow flow : takeEvents()) {
            ledger.destroyed(flow, true, traffic);
        }
        ledger.beginDump();
        ledger.endDump(dump(traffic));
        awaitDrain(System.nanoTime());
        for (Flow flow : takeEvents()) {
            ledger.destroyed(flow, true, traffic);
        }
        Health health = new Health(dumpSeconds, dumpCpuSeconds, ledger.dumpEntries(), ledger.dumpWithoutCounters(), ledger.tracked(),
                eventCount.get(), reader.overflows() + queueDrops.get(), malformed.get(), ledger.vanished(), ledger.reused());
        return new Interval(now, traffic.peers(), traffic.byService(), traffic.total(), health);
    }

    /** Runs one dump through the ledger; false if it did not complete (the entries it missed are billed later). */
    private boolean dump(FlowLedger.Listener listener) throws IOException {
        long start = System.nanoTime();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long deadline = start + settings.dumpTimeout().toNanos();
        dumps.send(CtnetlinkMessages.dumpRequest(++sequence, 0));
        try {
            while (System.nanoTime() - deadline < 0) {
                int length = dumps.receive(dumpBuffer, true);
                if (length == NetlinkSocket.OVERFLOW) {
                    return restartDumps();
                }
                if (length == 0) {
                    continue;
                }
                CtnetlinkMessages.Summary summary = CtnetlinkMessages.parse(dumpBuffer, flow -> ledger.dumped(flow, listener));
                malformed.addAndGet(summary.malformed());
                if (summary.error() != 0) {
                    throw dumps.failure("dumping the conntrack table" + where(), -summary.error());
                }
                if (summary.done()) {
                    return true;
                }
            }
            return restartDumps();
        } finally {
            dumpSeconds = (System.nanoTime() - start) / 1e9;
            dumpCpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        }
    }

    /** A dump cut short leaves its replies queued: a fresh socket starts the next one clean. */
    private boolean restartDumps() throws IOException {
        dumps.close();
        dumps = openDumpSocket(namespace);
        return false;
    }

    private Set<ByteBuffer> localAddresses() throws IOException {
        Set<ByteBuffer> addresses = new HashSet<>();
        routes.send(InterfaceAddresses.dumpRequest(++sequence));
        ByteBuffer buffer = dumpBuffer;
        for (int attempt = 0; attempt < 1000; attempt++) {
            if (routes.receive(buffer, true) <= 0) {
                continue;
            }
            int result = InterfaceAddresses.parse(buffer, addresses);
            if (result < 0) {
                throw routes.failure("listing the interface addresses" + where(), -result);
            }
            if (result == 1) {
                return addresses;
            }
        }
        throw new IOException("listing the interface addresses" + where() + ": the kernel did not finish the dump");
    }

    private String where() {
        return namespace == null ? "" : " in " + namespace;
    }

    private List<Flow> takeEvents() {
        List<Flow> taken = new ArrayList<>();
        for (Flow flow; (flow = destroyed.poll()) != null; ) {
            taken.add(flow);
        }
        queued.addAndGet(-taken.size());
        return taken;
    }

    /** Waits (bounded) until every event sent before {@code nanos} is queued; later ones wait for the next poll. */
    private void awaitDrain(long nanos) throws IOException {
        try {
            reader.awaitDrain(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading conntrack events", e);
        }
    }

    private void queue(Flow flow) {
        if (!flow.destroyed()) {
            return;
        }
        eventCount.incrementAndGet();
        if (queued.incrementAndGet() > MAX_QUEUED_EVENTS) {
            queued.decrementAndGet();
            queueDrops.incrementAndGet();
            return;
        }
        destroyed.add(flow);
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close();
        routes.close();
        dumps.close();
    }
}
