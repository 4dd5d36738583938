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
import org.gleaner.collectors.netlink.NotificationReader;

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
    private final NotificationReader listener;
    private final AtomicLong malformed = new AtomicLong();

    private SyscallIoCollector(Settings settings, TaskstatsSocket socket) {
        this.settings = settings;
        this.socket = socket;
        this.tasks = new ProcTasks(Path.of("/proc"), settings.unitOfProcCgroup());
        this.listener = new NotificationReader("gleaner-taskstats", socket, DATAGRAM_BUFFER_BYTES, this::applyExits);
    }

    /** Registers for task exits and starts the thread that applies them. Needs root (CAP_NET_ADMIN). */
    public static SyscallIoCollector start(Settings settings) throws IOException {
        SyscallIoCollector collector = new SyscallIoCollector(settings, TaskstatsSocket.open(settings.receiveBufferBytes()));
        collector.listener.start();
        return collector;
    }

    @Override
    public void collect(MetricSink sink) throws IOException, InterruptedException {
        listener.check("the task exit listener");
        long now = System.currentTimeMillis();
        ledger.beginScan();
        tasks.scan(ledger, now);
        ledger.endScan();
        listener.awaitDrain(System.nanoTime());
        ledger.reconcile(listener.drainedNanos(), now);
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
        sink.counter(now, listener.overflows(), "collector", "notification_overflows");
        sink.counter(now, malformed.get(), "collector", "malformed_messages");
    }

    private static String[] path(List<String> unit, String counter) {
        List<String> path = new ArrayList<>(unit);
        path.add(counter);
        return path.toArray(String[]::new);
    }

    private void applyExits(ByteBuffer buffer) {
        TaskstatsMessages.Datagram datagram = TaskstatsMessages.parse(buffer, socket.familyId());
        malformed.addAndGet(datagram.malformed());
        for (TaskExit exit : datagram.exits()) {
            applyExit(exit);
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
        listener.close();
        socket.close();
    }
}
