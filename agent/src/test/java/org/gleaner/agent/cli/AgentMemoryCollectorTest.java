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
 * with a config file, on processes of known memory. Values are only checked in cycles whose scan
 * read every process (scan.over_budget 0): on a loaded machine a cycle may run out of budget, which
 * is then what the collector must report, not a wrong figure.
 */
class AgentMemoryCollectorTest {
    private static final double MIB = 1024 * 1024;
    /** libc's data, the stack and stdio buffers: what a tiny C program has besides what it touched. */
    private static final double OVERHEAD = 1 * MIB;
    private static final long TEST_PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    /** Each metric's values in cycle order, from the agent's Graphite lines. */
    record Output(Map<String, List<Double>> values, String stderr) {
        List<Double> all(String name) {
            List<Double> found = values.get(name);
            if (found == null) {
                throw new AssertionError("no " + name + " in the output; stderr: " + stderr);
            }
            return found;
        }

        double at(int cycle, String name) {
            return all(name).get(cycle);
        }

        /** Cycles whose scan read every process it listed. */
        List<Integer> completeCycles() {
            List<Integer> complete = new ArrayList<>();
            List<Double> overBudget = all("t.memory.scan.over_budget");
            for (int cycle = 0; cycle < overBudget.size(); cycle++) {
                if (overBudget.get(cycle) == 0) {
                    complete.add(cycle);
                }
            }
            return complete;
        }

        List<String> groups() {
            return values.keySet().stream().filter(name -> name.startsWith("t.memory.groups.") && name.endsWith(".pss"))
                    .map(name -> name.substring("t.memory.groups.".length(), name.length() - ".pss".length())).toList();
        }
    }

    private Output agent(String interval, String memoryOptions) throws IOException {
        Path config = dir.resolve("gleaner.yaml");
        Files.writeString(config, "prefix: t\ncollectors:\n  memory: " + memoryOptions + "\n");
        Cmd.Result result = Launcher.run("gleaner", Duration.ofSeconds(60), List.of("agent", "--stdout", "--cycles", "2",
                "--collectors", "memory", "-i", interval, "--config", config.toString())).ok();
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (String line : result.stdout().split("\n")) {
            String[] fields = line.split(" ");
            assertEquals(3, fields.length, "a Graphite line: " + line);
            values.computeIfAbsent(fields[0], name -> new ArrayList<>()).add(Double.parseDouble(fields[1]));
        }
        Output output = new Output(values, result.stderr());
        assertEquals(List.of(0.0, 0.0), output.all("t.gleaner.collector.memory.errors"), result.stderr());
        assertEquals(List.of(0.0, 0.0), output.all("t.gleaner.collector.memory.overruns"), "every run ended in time: " + result.stderr());
        assertEquals(2, output.all("t.memory.total.pss").size(), "both cycles reported");
        return output;
    }

    private static void assertBetween(double low, double high, double actual, String what) {
        assertTrue(actual >= low && actual <= high, what + " = " + actual + ", expected " + low + ".." + high);
    }

    /** The rollup scan fits in a 1 s interval; a full smaps scan of a busy machine needs longer. */
    @ParameterizedTest
    @ValueSource(strings = {"{source: rollup, top: 10000, timeout: 950ms, cycle_budget: 900ms}",
                            "{source: smaps, top: 10000, timeout: 2900ms, cycle_budget: 2800ms}"})
    void aHelperWithKnownPrivateAndSharedMemoryShowsWithTheRightValues(String options) throws Exception {
        String name = "agent memhog." + TEST_PID;
        String metric = "t.memory.groups.agent_memhog_" + TEST_PID + ".";
        try (MemHog hog = new MemHog(MemHog.command(NamedExecutable.copy(CProgram.bundled("memhog"), name), 8, 16, 2))) {
            hog.touch(Duration.ofSeconds(20));
            Output output = agent(options.contains("smaps,") ? "3s" : "1s", options);
            List<Integer> complete = output.completeCycles();
            assertFalse(complete.isEmpty(), "no cycle read every process within its budget: " + output.all("t.memory.scan.over_budget"));
            for (int cycle : complete) {
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
        assertEquals(3, output.groups().size(), output.groups().toString());
        for (int cycle = 0; cycle < 2; cycle++) {
            double groups = output.at(cycle, "t.memory.total.groups");
            assertEquals(groups - 3, output.at(cycle, "t.memory.other.groups"));
            for (String metric : List.of("private", "swap", "pss", "swap_pss", "processes")) {
                double sum = output.at(cycle, "t.memory.other." + metric);
                for (String group : output.groups()) {
                    sum += output.all("t.memory.groups." + group + "." + metric).get(cycle);
                }
                assertEquals(output.at(cycle, "t.memory.total." + metric), sum, metric + " in cycle " + cycle);
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
            assertTrue(output.groups().stream().noneMatch(group -> group.equals(big)), "abandoned at its budget: " + output.groups());
            for (int cycle = 0; cycle < 2; cycle++) {
                assertTrue(output.at(cycle, "t.memory.scan.over_budget") >= 1, "the big process is counted");
            }
            assertTrue(output.groups().contains(small), "the other processes are read: " + output.groups());
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
        }
        assertTrue(output.all("t.gleaner.collector.memory.duration_ms").stream().allMatch(millis -> millis < 500),
                "the runs stopped at their budget: " + output.all("t.gleaner.collector.memory.duration_ms"));
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
