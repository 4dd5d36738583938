package org.gleaner.collectors.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gleaner.collectors.MetricSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemCollectorTest {

    /** Records "path=value" for gauges and "path+=value" for counters. */
    static final class Recording implements MetricSink {
        final List<String> lines = new ArrayList<>();
        final List<Long> times = new ArrayList<>();

        @Override
        public void gauge(long readMillis, double value, String... path) {
            lines.add(String.join(".", path) + "=" + value);
            times.add(readMillis);
        }

        @Override
        public void counter(long readMillis, long value, String... path) {
            lines.add(String.join(".", path) + "+=" + value);
            times.add(readMillis);
        }

        boolean has(String prefix) {
            return lines.stream().anyMatch(line -> line.startsWith(prefix));
        }
    }

    @Test
    void readsTheRealProc() throws IOException {
        Recording sink = new Recording();
        long before = System.currentTimeMillis();
        new SystemCollector(Path.of("/proc"), false).collect(sink);
        for (String name : List.of("loadavg.1min=", "meminfo.MemTotal=", "vmstat.pgfault+=", "vmstat.nr_free_pages=",
                "cpu.total.idle+=", "context_switches+=", "forks+=", "procs.running=", "pressure.cpu.some.avg10=",
                "pressure.memory.full.total_usec+=", "pressure.io.some.avg300=", "malformed_lines=0.0")) {
            assertTrue(sink.has(name), name + " in " + sink.lines.size() + " readings");
        }
        assertTrue(sink.times.stream().allMatch(t -> t >= before && t <= System.currentTimeMillis()));
    }

    @Test
    void malformedLinesAreCountedAcrossRunsAndPressureIsOptional(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("loadavg"), "garbage\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal: 1 kB\nMemFree: x kB\n");
        Files.writeString(proc.resolve("vmstat"), "pgfault 1\n");
        Files.writeString(proc.resolve("stat"), "ctxt 5\n");
        SystemCollector collector = new SystemCollector(proc, false);
        Recording first = new Recording();
        collector.collect(first);
        assertEquals(List.of("meminfo.MemTotal=1024.0", "vmstat.pgfault+=1", "context_switches+=5", "malformed_lines=2.0"),
                first.lines);
        Recording second = new Recording();
        collector.collect(second);
        assertTrue(second.lines.contains("malformed_lines=4.0"));
    }
}
