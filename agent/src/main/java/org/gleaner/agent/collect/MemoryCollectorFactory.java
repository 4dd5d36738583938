package org.gleaner.agent.collect;

import java.nio.file.Path;
import java.time.Duration;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.processmemory.ProcessMemoryCollector;
import org.gleaner.collectors.smaps.MemoryScanner;
import org.gleaner.collectors.smaps.SmapsSource;

/**
 * {@code collectors: {memory: {source: rollup, top: 20, process_budget: 500ms, cycle_budget: 2s, threads: 2}}}:
 * private, shared, swap and Pss per process group, as ps-mem groups processes
 * (org/gleaner/collectors/processmemory/README.md).
 */
public final class MemoryCollectorFactory implements CollectorFactory {
    static final int DEFAULT_TOP = 20;
    static final int MAX_TOP = 10_000;
    static final int MAX_THREADS = 64;
    static final Duration DEFAULT_PROCESS_BUDGET = Duration.ofMillis(500);
    static final Duration DEFAULT_CYCLE_BUDGET = Duration.ofSeconds(2);
    /**
     * Reading smaps_rollup makes the kernel walk every process's page tables (fs/proc/task_mmu.c,
     * show_smaps_rollup): the costliest read of the default collectors, of values that move slowly.
     */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public boolean enabledByDefault() {
        return true;
    }

    @Override
    public Duration defaultInterval(Duration agentInterval) {
        return agentInterval.compareTo(DEFAULT_INTERVAL) > 0 ? agentInterval : DEFAULT_INTERVAL;
    }

    @Override
    public Collector create(CollectorOptions options, Duration timeout) {
        SmapsSource source = switch (options.string("source", "rollup")) {
            case "rollup" -> SmapsSource.ROLLUP;
            case "smaps" -> SmapsSource.SMAPS;
            default -> throw InvalidOption.of(options, "source", "expected rollup or smaps");
        };
        int top = (int) bounded(options, "top", DEFAULT_TOP, 0, MAX_TOP);
        int threads = (int) bounded(options, "threads", 2, 1, MAX_THREADS);
        Duration processBudget = positive(options, "process_budget", DEFAULT_PROCESS_BUDGET);
        Duration cycleBudget = positive(options, "cycle_budget", defaultCycleBudget(timeout));
        if (cycleBudget.compareTo(timeout) >= 0) {
            throw InvalidOption.of(options, "cycle_budget", "must be less than the timeout (" + timeout.toMillis()
                    + "ms): a run that reaches the timeout is abandoned with nothing reported");
        }
        MemoryScanner.Options scan = new MemoryScanner.Options(Path.of("/proc"), source, threads, processBudget, cycleBudget);
        return new ProcessMemoryCollector(new ProcessMemoryCollector.Settings(scan, top));
    }

    /**
     * Leaves a fifth of the timeout for grouping and reporting: a run that reaches the timeout is
     * abandoned whole, while one that stops at its budget reports what it read.
     */
    private static Duration defaultCycleBudget(Duration timeout) {
        Duration fourFifths = timeout.multipliedBy(4).dividedBy(5);
        return fourFifths.compareTo(DEFAULT_CYCLE_BUDGET) < 0 ? fourFifths : DEFAULT_CYCLE_BUDGET;
    }

    private static long bounded(CollectorOptions options, String key, long defaultValue, long min, long max) {
        long value = options.integer(key, defaultValue);
        if (value < min || value > max) {
            throw InvalidOption.of(options, key, "must be between " + min + " and " + max);
        }
        return value;
    }

    private static Duration positive(CollectorOptions options, String key, Duration defaultValue) {
        Duration value = options.duration(key, defaultValue);
        if (value.isZero() || value.isNegative()) {
            throw InvalidOption.of(options, key, "must be more than 0");
        }
        return value;
    }
}
