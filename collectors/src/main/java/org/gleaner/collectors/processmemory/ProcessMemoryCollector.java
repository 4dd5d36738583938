package org.gleaner.collectors.processmemory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.MetricSink;
import org.gleaner.collectors.smaps.MemoryGroup;
import org.gleaner.collectors.smaps.MemoryGroups;
import org.gleaner.collectors.smaps.MemoryScanner;
import org.gleaner.collectors.smaps.MemorySnapshot;
import org.gleaner.collectors.smaps.MemoryUsage;
import org.gleaner.collectors.smaps.ProcessMemory;
import org.gleaner.collectors.smaps.SmapsSource;

/**
 * Memory per process group, grouped as ps-mem groups them (by executable), read with its engine
 * from smaps_rollup or smaps: the {@code top} groups by Pss one by one, the others together as
 * {@code other}, everything read as {@code total}, and what the scan could not read. The scan's
 * budgets bound the run, so a huge process or a busy machine never stalls the cycle: what is left
 * unread is counted. Every metric is listed in this package's README.md.
 */
public final class ProcessMemoryCollector implements Collector {
    /** @param top how many groups to report by name; the rest are summed into {@code other} */
    public record Settings(MemoryScanner.Options scan, int top) {}

    private final MemoryScanner scanner;
    private final int top;

    /** @throws IllegalStateException if this kernel has no such file (smaps_rollup needs Linux 4.14) */
    public ProcessMemoryCollector(Settings settings) {
        Path probe = settings.scan().procRoot().resolve("self").resolve(settings.scan().source().fileName());
        if (!Files.exists(probe)) {
            throw new IllegalStateException(probe + " does not exist"
                    + (settings.scan().source() == SmapsSource.ROLLUP ? " (Linux before 4.14): use source: smaps" : ""));
        }
        this.scanner = new MemoryScanner(settings.scan().withoutCmdlines());
        this.top = settings.top();
    }

    @Override
    public void collect(MetricSink sink) {
        long readMillis = System.currentTimeMillis();
        MemorySnapshot snapshot = scanner.scan(scanner.listPids());
        RankedGroups ranked = RankedGroups.of(MemoryGroups.groupsOf(snapshot.processes()), top);
        for (MemoryGroup group : ranked.top()) {
            usage(sink, readMillis, group.usage(), group.processes().size(), "groups", group.name());
        }
        List<ProcessMemory> others = ranked.restProcesses();
        usage(sink, readMillis, MemoryGroups.sum(others), others.size(), "other");
        sink.gauge(readMillis, ranked.rest().size(), "other", "groups");
        usage(sink, readMillis, MemoryGroups.sum(snapshot.processes()), snapshot.processes().size(), "total");
        sink.gauge(readMillis, ranked.top().size() + ranked.rest().size(), "total", "groups");
        sink.gauge(readMillis, snapshot.denied(), "scan", "denied");
        sink.gauge(readMillis, snapshot.vanished(), "scan", "vanished");
        sink.gauge(readMillis, snapshot.overBudget(), "scan", "over_budget");
    }

    private static void usage(MetricSink sink, long readMillis, MemoryUsage usage, int processes, String... at) {
        sink.gauge(readMillis, usage.privateBytes(), path(at, "private"));
        sink.gauge(readMillis, usage.sharedBytes(), path(at, "shared"));
        sink.gauge(readMillis, usage.swap(), path(at, "swap"));
        sink.gauge(readMillis, usage.pss(), path(at, "pss"));
        sink.gauge(readMillis, usage.swapPss(), path(at, "swap_pss"));
        sink.gauge(readMillis, processes, path(at, "processes"));
    }

    private static String[] path(String[] at, String metric) {
        String[] path = Arrays.copyOf(at, at.length + 1);
        path[at.length] = metric;
        return path;
    }
}
