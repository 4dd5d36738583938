package org.gleaner.collectors.smaps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.gleaner.collectors.procfs.ProcIdListing;

/**
 * Reads many processes in parallel. Reading smaps walks the target's page tables in the kernel, so
 * the work is spread over a few threads; each process gets a time budget and the whole scan another,
 * after which the processes not yet read are counted as over budget instead of being waited for.
 */
public final class MemoryScanner {
    /**
     * @param perProcess budget for one process's smaps (a huge process can take long)
     * @param total      budget for the whole scan
     * @param cmdlines   whether to read each process's command line (empty lists otherwise)
     */
    public record Options(Path procRoot, SmapsSource source, int threads, Duration perProcess, Duration total,
                          boolean cmdlines) {
        public Options(Path procRoot, SmapsSource source, int threads, Duration perProcess, Duration total) {
            this(procRoot, source, threads, perProcess, total, true);
        }

        public static Options defaults(SmapsSource source) {
            int threads = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
            return new Options(Path.of("/proc"), source, threads, Duration.ofSeconds(10), Duration.ofMinutes(5));
        }

        public Options withBudgets(Duration perProcessBudget, Duration totalBudget) {
            return new Options(procRoot, source, threads, perProcessBudget, totalBudget, cmdlines);
        }

        /** The same scan without command lines, for callers that never look at them. */
        public Options withoutCmdlines() {
            return new Options(procRoot, source, threads, perProcess, total, false);
        }
    }

    private final Options options;

    public MemoryScanner(Options options) {
        this.options = options;
    }

    /** Every pid now in /proc, ascending. */
    public int[] listPids() {
        int[] pids = new ProcIdListing().list(options.procRoot().toString());
        if (pids == null) {
            throw new UncheckedIOException(new IOException("cannot list " + options.procRoot()));
        }
        Arrays.sort(pids);
        return pids;
    }

    /** Reads the given pids; pids that are not (or no longer) processes count as vanished. */
    public MemorySnapshot scan(int[] pids) {
        long start = System.nanoTime();
        long scanDeadline = start + options.total().toNanos();
        long perProcess = options.perProcess().toNanos();
        ProcessReader.Result[] results = new ProcessReader.Result[pids.length];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable worker = () -> {
            ProcessReader reader = new ProcessReader(options.procRoot(), options.source(), options.cmdlines());
            try {
                for (int i = next.getAndIncrement(); i < pids.length; i = next.getAndIncrement()) {
                    long now = System.nanoTime();
                    if (now - scanDeadline > 0) {
                        results[i] = new ProcessReader.Result(pids[i], ProcessReader.Status.OVER_BUDGET, null);
                        continue;
                    }
                    long deadline = now + Math.min(perProcess, scanDeadline - now);
                    results[i] = reader.read(pids[i], deadline);
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                next.set(pids.length); // the others stop too
            }
        };
        int threads = Math.max(1, Math.min(options.threads(), pids.length));
        List<Thread> started = new ArrayList<>(threads - 1);
        for (int t = 1; t < threads; t++) {
            Thread thread = new Thread(worker, "smaps-reader-" + t);
            thread.setDaemon(true);
            thread.start();
            started.add(thread);
        }
        worker.run();
        for (Thread thread : started) {
            joinUninterruptibly(thread);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return summarize(results);
    }

    private MemorySnapshot summarize(ProcessReader.Result[] results) {
        List<ProcessMemory> processes = new ArrayList<>(results.length);
        int denied = 0;
        int vanished = 0;
        int overBudget = 0;
        for (ProcessReader.Result result : results) {
            switch (result.status()) {
                case READ -> processes.add(result.memory());
                case DENIED -> denied++;
                case VANISHED -> vanished++;
                case OVER_BUDGET -> overBudget++;
                case KERNEL_THREAD -> { }
            }
        }
        return new MemorySnapshot(options.source(), List.copyOf(processes), denied, vanished, overBudget);
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
