package org.gleaner.collectors.processmemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gleaner.collectors.MetricSink;
import org.gleaner.collectors.smaps.MemoryGroup;
import org.gleaner.collectors.smaps.MemoryGroups;
import org.gleaner.collectors.smaps.MemoryScanner;
import org.gleaner.collectors.smaps.SmapsSource;
import org.gleaner.testkit.CProgram;
import org.gleaner.testkit.MemHog;
import org.gleaner.testkit.NamedExecutable;
import org.gleaner.collectors.text.ByteText;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The collector on the real /proc, with processes of known memory (memhog), into a recording sink. */
class ProcessMemoryCollectorTest {
    private static final long MIB = 1024 * 1024;
    /** libc's data, the stack and stdio buffers: what a tiny C program has besides what it touched. */
    private static final long OVERHEAD = 1 * MIB;
    private static final long TEST_PID = ProcessHandle.current().pid();
    private static final Set<String> USAGE = Set.of("private", "shared", "swap", "pss", "swap_pss", "processes");
    private static final List<Process> SLEEPERS = new ArrayList<>();

    /** Groups of the test's own, so ranking and capping have enough groups on a quiet machine too. */
    @BeforeAll
    static void startDistinctCommands() throws Exception {
        for (int i = 0; i < 6; i++) {
            Path sleep = NamedExecutable.copy(Path.of("/bin/sleep"), "gleaner-group-" + i + "-" + TEST_PID);
            SLEEPERS.add(new ProcessBuilder(sleep.toString(), "120").start());
        }
    }

    @AfterAll
    static void stopDistinctCommands() {
        SLEEPERS.forEach(Process::destroyForcibly);
    }

    /** Every gauge by its path; fails on a counter, a repeated path or a second read time. */
    static final class RecordingSink implements MetricSink {
        final Map<List<String>, Double> gauges = new LinkedHashMap<>();
        final Set<Long> readTimes = new HashSet<>();

        @Override
        public void gauge(long readMillis, double value, String... path) {
            readTimes.add(readMillis);
            assertEquals(null, gauges.put(List.of(path), value), "reported twice: " + List.of(path));
        }

        @Override
        public void counter(long readMillis, long value, String... path) {
            throw new AssertionError("memory figures are gauges: " + List.of(path));
        }

        double get(String... path) {
            Double value = gauges.get(List.of(path));
            if (value == null) {
                throw new AssertionError("no " + List.of(path) + " among " + gauges.keySet());
            }
            return value;
        }

        List<String> groupNames() {
            return gauges.keySet().stream().filter(path -> path.get(0).equals("groups") && path.get(2).equals("pss"))
                    .map(path -> path.get(1)).toList();
        }

        double sum(String metric) {
            double sum = get("other", metric);
            for (String group : groupNames()) {
                sum += get("groups", group, metric);
            }
            return sum;
        }
    }

    private static RecordingSink collect(MemoryScanner.Options options, int top) {
        RecordingSink sink = new RecordingSink();
        long before = System.currentTimeMillis();
        new ProcessMemoryCollector(new ProcessMemoryCollector.Settings(options, top)).collect(sink);
        assertEquals(1, sink.readTimes.size(), "one read time for the whole scan");
        long readMillis = sink.readTimes.iterator().next();
        assertTrue(readMillis >= before && readMillis <= System.currentTimeMillis());
        return sink;
    }

    private static void assertBetween(double low, double high, double actual, String what) {
        assertTrue(actual >= low && actual <= high, what + " = " + actual + ", expected " + low + ".." + high);
    }

    @ParameterizedTest
    @EnumSource(SmapsSource.class)
    void forkedProcessesWithKnownMemoryShowAsOneGroupUnderTheirRawName(SmapsSource source) {
        String name = "memory hog.x'\"\n" + TEST_PID;
        String group = ByteText.human(name.getBytes(StandardCharsets.UTF_8)); // names are reported in their human form
        Path memhog = NamedExecutable.copy(CProgram.bundled("memhog"), name);
        try (MemHog hog = new MemHog(MemHog.command(memhog, 8, 16, 2))) {
            hog.touch(Duration.ofSeconds(20));
            RecordingSink sink = collect(MemoryScanner.Options.defaults(source), Integer.MAX_VALUE);
            assertEquals(3, sink.get("groups", group, "processes"), "parent and two children, one path component");
            double privateBytes = sink.get("groups", group, "private");
            assertBetween(24 * MIB, 24 * MIB + 3 * OVERHEAD, privateBytes, "private: 8 MiB touched in each");
            double shared = sink.get("groups", group, "shared");
            assertBetween(16 * MIB, 16 * MIB + 3 * OVERHEAD, shared, "shared: the 16 MiB region once, and libc");
            double pss = sink.get("groups", group, "pss");
            assertBetween(40 * MIB - 3 * 4096, 40 * MIB + 3 * OVERHEAD, pss, "pss: private and all of the region");
            assertTrue(pss >= privateBytes && pss <= privateBytes + shared, "pss " + pss + " between private and private + shared");
            assertEquals(0, sink.get("groups", group, "swap"));
            assertEquals(0, sink.get("groups", group, "swap_pss"));
        }
    }

    @Test
    void topGroupsThenOtherAddUpToTheTotal() {
        RecordingSink sink = collect(MemoryScanner.Options.defaults(SmapsSource.ROLLUP), 3);
        double groups = sink.get("total", "groups");
        assertTrue(groups > 3, "this machine runs more than 3 commands: " + groups);
        assertEquals(3, sink.groupNames().size(), sink.groupNames().toString());
        assertEquals(groups - 3, sink.get("other", "groups"));
        for (String metric : List.of("private", "swap", "pss", "swap_pss", "processes")) {
            assertEquals(sink.get("total", metric), sink.sum(metric), metric + " of the top groups and other add up");
        }
        assertTrue(sink.get("total", "processes") > 10);
        for (String level : List.of("denied", "vanished", "over_budget")) {
            assertTrue(sink.get("scan", level) >= 0);
        }
        Set<String> metrics = new HashSet<>();
        sink.gauges.keySet().forEach(path -> metrics.add(path.get(path.size() - 1)));
        assertTrue(metrics.containsAll(USAGE), metrics.toString());
    }

    @Test
    void rankingIsByPssAndKeepsEveryGroup() {
        MemoryScanner scanner = new MemoryScanner(MemoryScanner.Options.defaults(SmapsSource.ROLLUP));
        List<MemoryGroup> groups = MemoryGroups.of(scanner.scan(scanner.listPids()).processes()).groups();
        RankedGroups ranked = RankedGroups.of(groups, 5);
        assertEquals(5, ranked.top().size());
        assertEquals(groups.size() - 5, ranked.rest().size());
        long smallestShown = ranked.top().get(4).usage().pss();
        for (int i = 1; i < 5; i++) {
            assertTrue(ranked.top().get(i - 1).usage().pss() >= ranked.top().get(i).usage().pss());
        }
        assertTrue(ranked.rest().stream().allMatch(group -> group.usage().pss() <= smallestShown));
        assertEquals(ranked.rest().stream().mapToInt(group -> group.processes().size()).sum(), ranked.restProcesses().size());
        assertEquals(List.of(), RankedGroups.of(groups, 0).top());
        assertEquals(groups.size(), RankedGroups.of(groups, Integer.MAX_VALUE).top().size());
        List<MemoryGroup> reversed = new ArrayList<>(groups);
        java.util.Collections.reverse(reversed);
        assertEquals(ranked, RankedGroups.of(reversed, 5), "ties are broken by name, not by input order");
    }

    @Test
    void anExhaustedCycleBudgetIsCountedAndEverythingElseStillReported() {
        MemoryScanner.Options options = MemoryScanner.Options.defaults(SmapsSource.SMAPS).withBudgets(Duration.ofSeconds(1), Duration.ZERO);
        RecordingSink sink = collect(options, 20);
        assertTrue(sink.get("scan", "over_budget") > 10, "nothing was read: " + sink.get("scan", "over_budget"));
        assertEquals(0, sink.get("total", "processes"));
        assertEquals(0, sink.get("other", "pss"));
        assertEquals(List.of(), sink.groupNames());
    }

    @Test
    void aKernelWithoutTheFileFailsAtStartWithAHint() throws Exception {
        Path emptyProc = Files.createTempDirectory("gleaner-noproc-");
        try {
            MemoryScanner.Options options = MemoryScanner.Options.defaults(SmapsSource.ROLLUP);
            MemoryScanner.Options old = new MemoryScanner.Options(emptyProc, SmapsSource.ROLLUP, 1, options.perProcess(), options.total());
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> new ProcessMemoryCollector(new ProcessMemoryCollector.Settings(old, 20)));
            assertEquals(emptyProc.resolve("self/smaps_rollup") + " does not exist (Linux before 4.14): use source: smaps",
                    failure.getMessage());
        } finally {
            Files.delete(emptyProc);
        }
    }
}
