import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.MetricSink;
import org.gleaner.collectors.cgroup.CgroupCollector;
import org.gleaner.collectors.system.SystemCollector;

/**
 * CPU time of collector cycles, measured inside one JVM (no start-up in the figures):
 * {@code java -cp agent/target/gleaner.jar bench/CgroupCycle.java CYCLES COLLECTOR...} with
 * collectors "cgroup" and "system". Prints the collecting thread's CPU and the whole process's
 * CPU (with GC and JIT threads) per cycle, after a warm-up of CYCLES/4 cycles. Used by cgroup-cycle.sh.
 */
public final class CgroupCycle {
    public static void main(String[] args) throws Exception {
        int cycles = Integer.parseInt(args[0]);
        List<Collector> collectors = List.of(args).subList(1, args.length).stream().map(CgroupCycle::collector).toList();
        long[] datapoints = new long[1];
        MetricSink sink = new MetricSink() {
            @Override
            public void gauge(long readMillis, double value, String... path) {
                datapoints[0]++;
            }

            @Override
            public void counter(long readMillis, long value, String... path) {
                datapoints[0]++;
            }
        };
        for (int i = 0; i < cycles / 4; i++) {
            cycle(collectors, sink);
        }
        datapoints[0] = 0;
        var threads = ManagementFactory.getThreadMXBean();
        long threadStart = threads.getCurrentThreadCpuTime();
        long processStart = processCpuTicks();
        for (int i = 0; i < cycles; i++) {
            cycle(collectors, sink);
        }
        double threadMs = (threads.getCurrentThreadCpuTime() - threadStart) / 1e6 / cycles;
        double processMs = (processCpuTicks() - processStart) * 10.0 / cycles; // USER_HZ = 100
        System.out.printf("%.1f %.1f %d%n", threadMs, processMs, datapoints[0] / cycles);
    }

    private static void cycle(List<Collector> collectors, MetricSink sink) {
        for (Collector collector : collectors) {
            try {
                collector.collect(sink);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Collector collector(String name) {
        return switch (name) {
            case "cgroup" -> new CgroupCollector(CgroupCollector.Settings.defaults());
            case "system" -> new SystemCollector(Path.of("/proc"), false);
            default -> throw new IllegalArgumentException("unknown collector " + name);
        };
    }

    /** utime + stime of this process, in clock ticks (proc(5), /proc/PID/stat fields 14 and 15). */
    private static long processCpuTicks() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
