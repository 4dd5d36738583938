package org.gleaner.collectors.syscallio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.MetricSink;
import org.gleaner.collectors.cgroup.UnitNames;

/**
 * Per-unit "syscall io" counters (rchar, wchar, syscr, syscw, read_bytes, write_bytes,
 * cancelled_write_bytes) that stay exact while processes come and go: live threads are read from
 * /proc at each cycle, and a dedicated thread applies the final counters of every task that exits,
 * as the kernel's taskstats interface reports them. See README.md in this package.
 */
public final class SyscallIoCollector implements Collector {
    /** The unit of processes in no unit (the root cgroup, or directories no service manager made). */
    public static final List<String> ROOT = List.of("root");

    private static final int DATAGRAM_BUFFER_BYTES = 65536;
    private static final int DRAIN_WAIT_ATTEMPTS = 50;
    private static final long DRAIN_WAIT_MILLIS = 2;

    /** How the collector is set up. */
    public record Settings(int receiveBufferBytes, Duration forgetAfter, Function<String, List<String>> unitOfProcCgroup) {
        /** Units named by {@link UnitNames}; processes outside any unit count under {@link #ROOT}. */
        public static Function<String, List<String>> systemdUnits() {
            return text -> UnitNames.fromProcCgroup(text).orElse(ROOT);
        }
    }

    private final Settings settings;
    private final UnitIoLedger ledger = new UnitIoLedger();
    private final ProcTasks tasks;
    private final TaskstatsSocket socket;
    private final Thread listener;
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile boolean closing;
    /** When the listener last found the socket empty: every exit notified before then is applied. */
    private volatile long drainedNanos = System.nanoTime();
    private volatile Throwable listenerFailure;

    private SyscallIoCollector(Settings settings, TaskstatsSocket socket) {
        this.settings = settings;
        this.socket = socket;
        this.tasks = new ProcTasks(Path.of("/proc"), settings.unitOfProcCgroup());
        this.listener = new Thread(this::listen, "gleaner-taskstats");
        listener.setDaemon(true);
    }

    /** Registers for task exits and starts the thread that applies them. Needs root (CAP_NET_ADMIN). */
    public static SyscallIoCollector start(Settings settings) throws IOException {
        SyscallIoCollector collector = new SyscallIoCollector(settings, TaskstatsSocket.open(settings.receiveBufferBytes()));
        collector.listener.start();
        return collector;
    }

    @Override
    public void collect(MetricSink sink) throws IOException, InterruptedException {
        Throwable failure = listenerFailure;
        if (failure != null) {
            throw new IOException("the task exit listener stopped: " + failure.getMessage(), failure);
        }
        long now = System.currentTimeMillis();
        ledger.beginScan();
        tasks.scan(ledger, now);
        ledger.endScan();
        awaitDrain(System.nanoTime());
        ledger.reconcile(drainedNanos, now);
        for (UnitIoLedger.UnitTotals unit : ledger.totals(now, now - settings.forgetAfter().toMillis())) {
            for (int i = 0; i < IoCounters.NAMES.size(); i++) {
                sink.counter(now, unit.totals().get(i), path(unit.unit(), IoCounters.NAMES.get(i)));
            }
        }
        UnitIoLedger.Health health = ledger.health();
        sink.counter(now, health.exits(), "collector", "task_exits");
        sink.counter(now, health.exitsRounded(), "collector", "exits_rounded");
        sink.counter(now, health.tasksMissed(), "collector", "tasks_missed");
        sink.counter(now, health.exitsUnattributed(), "collector", "exits_unattributed");
        sink.counter(now, health.recoveries(), "collector", "rounding_recoveries");
        sink.counter(now, overflows.get(), "collector", "notification_overflows");
        sink.counter(now, malformed.get(), "collector", "malformed_messages");
    }

    /**
     * Waits (bounded) for the listener to find its socket empty after {@code nanos}, so the scan's
     * readings can be reconciled now; if it does not, they wait for the next cycle.
     */
    private void awaitDrain(long nanos) throws InterruptedException {
        socket.wakeListener();
        for (int attempt = 0; attempt < DRAIN_WAIT_ATTEMPTS && drainedNanos - nanos < 0 && listener.isAlive(); attempt++) {
            Thread.sleep(DRAIN_WAIT_MILLIS);
        }
    }

    private static String[] path(List<String> unit, String counter) {
        List<String> path = new ArrayList<>(unit);
        path.add(counter);
        return path.toArray(String[]::new);
    }

    private void listen() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(DATAGRAM_BUFFER_BYTES);
        try {
            // Alternates a non-blocking receive, whose EAGAIN proves everything sent before it was
            // applied, with a blocking one; a cycle that needs a fresh proof wakes the blocking one.
            boolean wait = false;
            while (!closing) {
                long before = System.nanoTime();
                int length = socket.receive(buffer, wait);
                if (length == 0) {
                    if (!wait) {
                        drainedNanos = before;
                    }
                    wait = !wait;
                    continue;
                }
                wait = false;
                if (length == TaskstatsSocket.OVERFLOW) {
                    overflows.incrementAndGet();
                } else if (length > 0) {
                    TaskstatsMessages.Datagram datagram = TaskstatsMessages.parse(buffer, socket.familyId());
                    malformed.addAndGet(datagram.malformed());
                    for (TaskExit exit : datagram.exits()) {
                        applyExit(exit);
                    }
                }
            }
        } catch (Throwable e) {
            listenerFailure = e;
        }
    }

    /**
     * Credits one exit. The exiting task is usually still in /proc (the kernel notifies from
     * do_exit, before the task is released), so its exact counters and unit are read there; the
     * kernel's record rounds every counter down to a multiple of 1024.
     */
    private void applyExit(TaskExit exit) {
        int tgid = exit.tgid() > 0 ? exit.tgid() : exit.pid();
        IoCounters exact = tasks.readIo(tgid, exit.pid());
        List<String> unit = ledger.isKnown(exit.pid()) ? null : attribute(tgid, exit.ppid());
        ledger.recordExit(exit, exact, unit, System.currentTimeMillis(), System.nanoTime());
    }

    /**
     * The unit of a task no scan saw: its process's, else its parent's; null if both are gone.
     * Units read here are remembered until the next scan, so the last child of a parent that
     * exits right after it still finds the parent's unit, and so does the parent's own exit.
     */
    private List<String> attribute(int tgid, int ppid) {
        List<String> unit = ledger.knownUnit(tgid);
        if (unit == null) {
            unit = tasks.unitOf(tgid);
        }
        if (unit == null && ppid > 0) {
            unit = ledger.knownUnit(ppid);
            if (unit == null) {
                unit = tasks.unitOf(ppid);
                if (unit != null) {
                    ledger.rememberUnit(ppid, unit);
                }
            }
        }
        return unit;
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        socket.wakeListener();
        listener.join(Duration.ofSeconds(5).toMillis());
        socket.close();
    }
}
