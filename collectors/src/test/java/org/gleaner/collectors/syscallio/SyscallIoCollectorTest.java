package org.gleaner.collectors.syscallio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gleaner.collectors.MetricSink;
import org.gleaner.testkit.Privileged;
import org.junit.jupiter.api.Test;

class SyscallIoCollectorTest {
    private static final long MIB = 1 << 20;

    /** Keeps the counters of one collect() by their joined path. */
    static final class Recorder implements MetricSink {
        final Map<String, Long> counters = new HashMap<>();

        @Override
        public void gauge(long readMillis, double value, String... path) {
            throw new AssertionError("syscallio emits counters only: " + String.join(".", path));
        }

        @Override
        public void counter(long readMillis, long value, String... path) {
            counters.put(String.join("/", path), value);
        }

        long unit(List<String> unit, String counter) {
            return counters.getOrDefault(String.join("/", unit) + "/" + counter, 0L);
        }
    }

    static Recorder collect(SyscallIoCollector collector) throws Exception {
        Recorder recorder = new Recorder();
        collector.collect(recorder);
        return recorder;
    }

    static SyscallIoCollector start() throws Exception {
        return SyscallIoCollector.start(new SyscallIoCollector.Settings(
                32 << 20, Duration.ofHours(1), SyscallIoCollector.Settings.systemdUnits()));
    }

    /** Collects until {@code counter} of {@code unit} reaches {@code atLeast} (bounded), then once more. */
    static Recorder settle(SyscallIoCollector collector, List<String> unit, String counter, long atLeast) throws Exception {
        Recorder last = collect(collector);
        for (int attempt = 0; attempt < 50 && last.unit(unit, counter) < atLeast; attempt++) {
            Thread.sleep(100);
            last = collect(collector);
        }
        Thread.sleep(300);
        return collect(collector);
    }

    @Test
    @Privileged("taskstats exit notifications need CAP_NET_ADMIN; test units are cgroups")
    void unitOf200ShortLivedWritersCountsEveryMebibyte() throws Exception {
        try (SyscallIoCollector collector = start(); TestUnit unit = new TestUnit("syscallio200")) {
            Recorder before = collect(collector);
            unit.run("i=0; while [ $i -lt 200 ]; do dd if=/dev/zero of=/dev/null bs=1M count=1 status=none || exit 1; i=$((i+1)); done",
                    Duration.ofSeconds(60));
            Recorder after = settle(collector, unit.unitName(), "wchar", 200 * MIB);

            long wchar = after.unit(unit.unitName(), "wchar") - before.unit(unit.unitName(), "wchar");
            long rchar = after.unit(unit.unitName(), "rchar") - before.unit(unit.unitName(), "rchar");
            long syscw = after.unit(unit.unitName(), "syscw") - before.unit(unit.unitName(), "syscw");
            System.out.printf("200 dd: wchar %d rchar %d syscw %d; collector %s%n", wchar, rchar, syscw,
                    after.counters.entrySet().stream().filter(e -> e.getKey().startsWith("collector/")).toList());
            assertTrue(Math.abs(wchar - 200 * MIB) <= 2 * MIB, "wchar " + wchar + " not within 1% of 200 MiB");
            assertTrue(rchar >= 200 * MIB && rchar <= 202 * MIB, "rchar " + rchar + " not within 1% above 200 MiB");
            // An exit whose exact counters were gone when its notification was read is credited with
            // the kernel's record, whose syscall counts are rounded down to a multiple of 1024 (0 here).
            long rounded = after.counters.get("collector/exits_rounded") - before.counters.get("collector/exits_rounded");
            assertTrue(syscw + rounded >= 200 && syscw <= 200 + 200 * 8,
                    "each dd makes one write(2) plus a few: syscw " + syscw + ", rounded exits " + rounded);
        }
    }

    @Test
    @Privileged("taskstats exit notifications need CAP_NET_ADMIN; test units are cgroups")
    void totalsOfALongLivedProcessAndItsShortLivedChildrenNeverGoDown() throws Exception {
        try (SyscallIoCollector collector = start(); TestUnit unit = new TestUnit("syscallio-mono")) {
            Recorder first = collect(collector);
            // The shell lives through the whole run and writes itself; each round also starts and
            // reaps two children (dd writing 64 KiB, sleep).
            Process shell = unit.start("i=0; while [ $i -lt 40 ]; do echo 0123456789 > /dev/null;"
                    + " dd if=/dev/zero of=/dev/null bs=64k count=1 status=none; sleep 0.05; i=$((i+1)); done");
            try {
                Recorder previous = first;
                int cycles = 0;
                for (; cycles < 100 && shell.isAlive(); cycles++) {
                    Thread.sleep(60);
                    Recorder current = collect(collector);
                    assertNeverDown(previous, current);
                    previous = current;
                }
                assertTrue(shell.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the shell finished");
                assertEquals(0, shell.exitValue());
                assertTrue(cycles >= 5, "the run spanned several cycles: " + cycles);
                Recorder last = settle(collector, unit.unitName(), "wchar", 40 * 65536 + 40 * 11);
                assertNeverDown(previous, last);
                long wchar = last.unit(unit.unitName(), "wchar") - first.unit(unit.unitName(), "wchar");
                long expected = 40 * 65536 + 40 * 11;
                // Each exit credited with the kernel's record may miss up to 1023 bytes written since
                // the last scan.
                long rounded = last.counters.get("collector/exits_rounded") - first.counters.get("collector/exits_rounded");
                assertTrue(wchar >= expected - 1023 * rounded && wchar <= expected + 64,
                        "wchar " + wchar + ": 40 dd of 64 KiB and 40 echo lines of 11 bytes; rounded exits " + rounded);
            } finally {
                shell.destroyForcibly();
            }
        }
    }

    /** Every counter present in both collects must not have gone down. */
    private static void assertNeverDown(Recorder before, Recorder after) {
        before.counters.forEach((path, value) -> {
            Long later = after.counters.get(path);
            assertTrue(later == null || later >= value, path + " went down from " + value + " to " + later);
        });
    }

    /**
     * The kernel's own aggregate is the oracle: a shell's /proc/PID/io includes every child it
     * reaped. A shell seen by a scan before it starts 100 short writers, and reaping them all, must
     * leave its unit with exactly its /proc/PID/io plus the live rest of the unit, for every counter:
     * the exits the kernel rounded are recovered from the shell's counters.
     */
    @Test
    @Privileged("taskstats exit notifications need CAP_NET_ADMIN; test units are cgroups")
    void unitTotalsEqualTheKernelsAggregateOfTheReapingShell(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path done = dir.resolve("done");
        try (SyscallIoCollector collector = start(); TestUnit unit = new TestUnit("syscallio-exact")) {
            Process shell = unit.start("sleep 1; i=0; while [ $i -lt 100 ]; do"
                    + " dd if=/dev/zero of=/dev/null bs=64k count=1 status=none; i=$((i+1)); done;"
                    + " echo > " + done + "; sleep 20");
            Thread.sleep(300);
            Recorder first = collect(collector); // sees the shell (sleeping) before any of its children exits
            for (int wait = 0; wait < 300 && !java.nio.file.Files.exists(done); wait++) {
                Thread.sleep(100);
            }
            assertTrue(java.nio.file.Files.exists(done), "the shell finished its loop");
            collect(collector);
            Thread.sleep(300);
            Recorder last = collect(collector);
            long[] expected = new long[IoCounters.NAMES.size()];
            for (String pid : java.nio.file.Files.readAllLines(unit.procs())) {
                IoCounters whole = IoCounters.parseProcIo(java.nio.file.Files.readString(
                        java.nio.file.Path.of("/proc", pid, "io"))).orElseThrow();
                for (int i = 0; i < expected.length; i++) {
                    expected[i] += whole.get(i);
                }
            }
            for (int i = 0; i < expected.length; i++) {
                String counter = IoCounters.NAMES.get(i);
                assertEquals(expected[i], last.unit(unit.unitName(), counter), counter + " of the unit; collector "
                        + last.counters.entrySet().stream().filter(e -> e.getKey().startsWith("collector/")).toList());
            }
            assertTrue(last.unit(unit.unitName(), "syscw") >= 100, "each dd makes a write(2)");
            System.out.printf("exact unit: rounded exits %d, recoveries %d%n",
                    last.counters.get("collector/exits_rounded") - first.counters.get("collector/exits_rounded"),
                    last.counters.get("collector/rounding_recoveries") - first.counters.get("collector/rounding_recoveries"));
            shell.destroyForcibly();
        }
    }
}
