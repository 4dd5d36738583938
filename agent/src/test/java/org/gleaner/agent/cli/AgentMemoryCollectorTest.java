package org.gleaner.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gleaner.agent.daemon.MetricNames;
import org.gleaner.testkit.CProgram;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Launcher;
import org.gleaner.testkit.MemHog;
import org.gleaner.testkit.NamedExecutable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The memory collector through the real launcher: {@code bin/gleaner agent --stdout --collectors memory}
 * with a config file, on processes of known memory. On a loaded machine a cycle may run out of
 * budget before it reaches a helper (the newest pids come last): values are checked in every cycle
 * that read every process, or read all of the helper's processes, and there must be one.
 */
class AgentMemoryCollectorTest {
    private static final double MIB = 1024 * 1024;
    /** libc's data, the stack and stdio buffers: what a tiny C program has besides what it touched. */
    private static final double OVERHEAD = 1 * MIB;
    private static final long TEST_PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    /** The agent's Graphite lines, one map per cycle (a cycle names each metric once). */
    record Output(List<Map<String, Double>> cycles, String stderr) {
        static Output parse(Cmd.Result result) {
            List<Map<String, Double>> cycles = new ArrayList<>();
            Map<String, Double> cycle = null;
            for (String line : result.stdout().split("\n")) {
                String[] fields = line.split(" ");
                assertEquals(3, fields.length, "a Graphite line: " + line);
                if (cycle == null || cycle.containsKey(fields[0])) {
                    cycle = new LinkedHashMap<>();
                    cycles.add(cycle);
                }
                cycle.put(fields[0], Double.parseDouble(fields[1]));
            }
            return new Output(cycles, result.stderr());
        }

        double at(int cycle, String name) {
            Double value = cycles.get(cycle).get(name);
            if (value == null) {
                throw new AssertionError("no " + name + " in cycle " + cycle + "; stderr: " + stderr);
            }
            return value;
        }

        List<String> groups(int cycle) {
            return cycles.get(cycle).keySet().stream().filter(name -> name.startsWith("t.memory.groups.") && name.endsWith(".pss"))
                    .map(name -> name.substring("t.memory.groups.".length(), name.length() - ".pss".length())).toList();
        }
    }

    /** Two cycles of the memory collector, run in both (its own default interval is a minute). */
    private Output agent(String interval, String memoryOptions) throws IOException {
        Path config = dir.resolve("gleaner.yaml");
        Files.writeString(config, "prefix: t\ncollectors:\n  memory: {interval: " + interval + ", " + memoryOptions.substring(1) + "\n");
        Output output = Output.parse(Launcher.run("gleaner", Duration.ofSeconds(60), List.of("agent", "--stdout", "--cycles",
                "2", "--collectors", "memory", "-i", interval, "--config", config.toString())).ok());
        assertEquals(2, output.cycles().size(), "two cycles; stderr: " + output.stderr());
        for (int cycle = 0; cycle < 2; cycle++) {
            assertEquals(0, output.at(cycle, "t.gleaner.collector.memory.errors"), output.stderr());
            assertEquals(0, output.at(cycle, "t.gleaner.collector.memory.overruns"), "every run ended in time: " + output.stderr());
        }
        return output;
    }

    private static void assertBetween(double low, double high, double actual, String what) {
        assertTrue(actual >= low && actual <= high, what + " = " + actual + ", expected " + low + ".." + high);
    }

    /**
     * Executables {@code a_b} and {@code a b} escape alike: each must still be a series of its own,
     * or Graphite keeps one group's datapoint and drops the other's.
     */
    @Test
    void twoGroupsWhoseNamesEscapeAlikeAreTwoSeries() throws Exception {
        String plain = "names-a_b-" + TEST_PID;
        String spaced = "names-a b-" + TEST_PID;
        Path memhog = CProgram.bundled("memhog");
        try (MemHog first = new MemHog(MemHog.command(NamedExecutable.copy(memhog, plain), 2, 0, 0));
                MemHog second = new MemHog(MemHog.command(NamedExecutable.copy(memhog, spaced), 4, 0, 1))) {
            first.touch(Duration.ofSeconds(20));
            second.touch(Duration.ofSeconds(20));
            Path config = dir.resolve("gleaner.yaml");
            Files.writeString(config, "prefix: t\ncollectors:\n  memory: {top: 10000, timeout: 2900ms, cycle_budget: 2800ms}\n");
            Cmd.Result result = Launcher.run("gleaner", Duration.ofSeconds(60), List.of("agent", "--stdout", "--cycles", "1",
                    "--collectors", "memory", "-i", "3s", "--config", config.toString())).ok();
            List<String> processLines = result.stdout().lines()
                    .filter(line -> line.startsWith("t.memory.groups.names-a_b-" + TEST_PID) && line.contains(".processes ")).toList();
            assertEquals(2, processLines.stream().map(line -> line.split(" ")[0]).distinct().count(),
                    "two groups, two series: " + processLines);
            assertEquals(List.of("t.memory.groups." + plain + ".processes 1",
                            "t.memory.groups." + MetricNames.escape(spaced) + ".processes 2"),
                    processLines.stream().map(line -> line.substring(0, line.lastIndexOf(' '))).sorted().toList(),
                    "one series per group: " + result.stdout());
            assertTrue(MetricNames.escape(spaced).matches("names-a_b-" + TEST_PID + "_[0-9a-f]{12}"), MetricNames.escape(spaced));
        }
    }

    /** The rollup scan fits in a 1 s interval; a full smaps scan of a busy machine needs longer. */
    @ParameterizedTest
    @ValueSource(strings = {"{source: rollup, top: 10000, timeout: 950ms, cycle_budget: 900ms}",
                            "{source: smaps, top: 10000, timeout: 2900ms, cycle_budget: 2800ms}"})
    void aHelperWithKnownPrivateAndSharedMemoryShowsWithTheRightValues(String options) throws Exception {
        String name = "agent memhog." + TEST_PID;
        String metric = "t.memory.groups." + MetricNames.escape(name) + ".";
        try (MemHog hog = new MemHog(MemHog.command(NamedExecutable.copy(CProgram.bundled("memhog"), name), 8, 16, 2))) {
            hog.touch(Duration.ofSeconds(20));
            Output output = agent(options.contains("smaps,") ? "3s" : "1s", options);
            List<Integer> checked = new ArrayList<>();
            for (int cycle = 0; cycle < 2; cycle++) {
                if (output.at(cycle, "t.memory.scan.over_budget") == 0
                        || output.cycles().get(cycle).getOrDefault(metric + "processes", 0.0) == 3) {
                    checked.add(cycle);
                }
            }
            assertFalse(checked.isEmpty(), "the budget ran out before the helper was read in both cycles; over budget: "
                    + output.at(0, "t.memory.scan.over_budget") + ", " + output.at(1, "t.memory.scan.over_budget"));
            for (int cycle : checked) {
                assertEquals(3, output.at(cycle, metric + "processes"), "the parent and its two children, one level");
                double privateBytes = output.at(cycle, metric + "private");
                assertBetween(24 * MIB, 24 * MIB + 3 * OVERHEAD, privateBytes, "private: 8 MiB touched in each");
                double shared = output.at(cycle, metric + "shared");
                assertBetween(16 * MIB, 16 * MIB + 3 * OVERHEAD, shared, "shared: the 16 MiB region once, and libc");
                double pss = output.at(cycle, metric + "pss");
                assertBetween(40 * MIB - 3 * 4096, 40 * MIB + 3 * OVERHEAD, pss, "pss: the private memory and all of the region");
                assertTrue(pss <= privateBytes + shared, "pss within private + shared");
                assertEquals(0, output.at(cycle, metric + "swap"));
                assertEquals(0, output.at(cycle, metric + "swap_pss"));
            }
        }
    }

    @Test
    void topGroupsByPssAndTheRestAsOtherAddUpToTheTotal() throws Exception {
        Output output = agent("1s", "{top: 3, timeout: 950ms}");
        for (int cycle = 0; cycle < 2; cycle++) {
            List<String> groups = output.groups(cycle);
            assertEquals(3, groups.size(), groups.toString());
            double groupCount = output.at(cycle, "t.memory.total.groups");
            assertTrue(groupCount > 3, "this machine runs more than 3 commands: " + groupCount);
            assertEquals(groupCount - 3, output.at(cycle, "t.memory.other.groups"));
            for (String metric : List.of("private", "swap", "pss", "swap_pss", "processes")) {
                double sum = output.at(cycle, "t.memory.other." + metric);
                for (String group : groups) {
                    sum += output.at(cycle, "t.memory.groups." + group + "." + metric);
                }
                assertEquals(output.at(cycle, "t.memory.total." + metric), sum, metric + " in cycle " + cycle);
            }
            int at = cycle;
            double smallestShown = groups.stream().mapToDouble(group -> output.at(at, "t.memory.groups." + group + ".pss")).min().orElseThrow();
            if (output.at(cycle, "t.memory.other.groups") == 1) {
                assertTrue(output.at(cycle, "t.memory.other.pss") <= smallestShown, "a lone other group is the smallest");
            }
        }
    }

    @Test
    void aProcessTooBigForItsBudgetIsCountedAndTheOthersAreStillRead() throws Exception {
        String big = "agent-manymaps-" + TEST_PID;
        String small = "agent-small-" + TEST_PID;
        Process manyMaps = new ProcessBuilder(CProgram.compile(big, helperSource("manymaps.c")).toString(), "60000")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (MemHog hog = new MemHog(MemHog.command(NamedExecutable.copy(CProgram.bundled("memhog"), small), 1, 0, 0))) {
            String ready = new String(manyMaps.getInputStream().readNBytes(6), StandardCharsets.US_ASCII);
            assertEquals("ready ", ready, "60000 mappings made (vm.max_map_count is 65530 by default)");
            hog.touch(Duration.ofSeconds(20));
            // reading this smaps takes about 150 ms here: 60000 mappings, 40 MB of text
            Output output = agent("3s", "{source: smaps, top: 10000, process_budget: 20ms, timeout: 2900ms, cycle_budget: 2800ms}");
            boolean smallRead = false;
            for (int cycle = 0; cycle < 2; cycle++) {
                assertFalse(output.groups(cycle).contains(big), "abandoned at its budget: " + output.groups(cycle));
                assertTrue(output.at(cycle, "t.memory.scan.over_budget") >= 1, "the big process is counted");
                smallRead |= output.groups(cycle).contains(small);
            }
            assertTrue(smallRead, "the other processes are read (unless the machine is too busy to read them all in 2.8 s: "
                    + "over budget " + output.at(0, "t.memory.scan.over_budget") + ", " + output.at(1, "t.memory.scan.over_budget") + ")");
        } finally {
            manyMaps.destroyForcibly();
            manyMaps.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTinyCycleBudgetIsCountedNotWaitedFor() throws Exception {
        Output output = agent("1s", "{source: smaps, cycle_budget: 1ms}");
        for (int cycle = 0; cycle < 2; cycle++) {
            double overBudget = output.at(cycle, "t.memory.scan.over_budget");
            double read = output.at(cycle, "t.memory.total.processes");
            assertTrue(overBudget > 10 && overBudget > read, "most processes left unread: " + overBudget + " vs " + read);
            assertTrue(output.at(cycle, "t.gleaner.collector.memory.duration_ms") < 500, "the run stopped at its budget");
        }
    }

    @Test
    void aBadOptionIsOneLineAndExitStatus2() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "collectors:\n  memory:\n    source: pagemap\n");
        Cmd.Result result = Launcher.run("gleaner", Duration.ofSeconds(60), List.of("agent", "--stdout", "--cycles", "1",
                "--collectors", "memory", "--config", config.toString()));
        assertEquals(2, result.exit());
        assertEquals("", result.stdout());
        assertTrue(result.stderr().endsWith(config + ":3: collectors.memory.source: expected rollup or smaps\n"), result.stderr());
        assertEquals(1, result.stderr().lines().count(), result.stderr());
    }

    private static String helperSource(String resource) throws IOException {
        try (InputStream in = AgentMemoryCollectorTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
