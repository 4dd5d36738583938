package org.gleaner.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.gleaner.agent.daemon.MetricNames;
import org.gleaner.agent.AgentRun;
import org.gleaner.agent.AgentRun.Result;
import org.gleaner.agent.collect.HostileNamesCollectorFactory;
import org.gleaner.testkit.CarbonCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code bin/gleaner agent} as a user runs it: real launcher, real /proc, real carbon-cache. */
class AgentLauncherTest {
    static final Duration LIMIT = Duration.ofSeconds(30);
    static final Pattern GRAPHITE_LINE = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+ -?[0-9][0-9.E-]* [0-9]{10}");
    static final String HOST = "test-host";

    static Path config(Path dir, String yaml) throws Exception {
        Path file = dir.resolve("gleaner.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown key          | interval: 1s\\nintervall: 10s                 | :2: intervall: unknown key
            wrong type           | interval: 1s\\ncarbon: [a, b]                  | :2: carbon: expected a mapping
            bad duration         | interval: 10 parsecs                         | :1: interval: not a duration: '10 parsecs'
            collector option     | collectors:\\n  system:\\n    per_cpu: maybe  | :3: collectors.system.per_cpu: expected true or false
            unknown option       | collectors:\\n  system:\\n    colour: red     | :3: collectors.system.colour: unknown key
            unknown collector    | collectors:\\n  sytsem: {}                     | :2: collectors.sytsem: unknown collector (known: system
            collector interval   | collectors:\\n  system:\\n    interval: 50ms | :3: collectors.system.interval: must be at least the agent interval (100ms)
            bad YAML             | interval: [1s                                 | :2: not valid YAML
            """)
    void badConfigIsOneLineNamingFileLineAndKeyAndExit2(String what, String yaml, String expected, @TempDir Path dir)
            throws Exception {
        Path file = config(dir, yaml.replace("\\n", "\n") + "\n");
        Result result = AgentRun.run(LIMIT, Map.of(), "agent", "--config", file.toString(), "--cycles", "1", "-i", "100ms");
        assertEquals(2, result.exit(), result.toString());
        assertEquals("", result.stdout(), "nothing sent");
        assertEquals(1, result.stderrLines().size(), result.stderr());
        assertTrue(result.stderr().startsWith("agent: " + file + expected), result.stderr());
    }

    @Test
    void unreadableOrMissingConfigAndBadOptionsExit2(@TempDir Path dir) {
        for (List<String> args : List.of(
                List.of("--config", dir.toString()),
                List.of("--config", dir.resolve("missing.yaml").toString()),
                List.of("-i", "soon"),
                List.of("-t", "carbon:http"),
                List.of("-t", ":::"),
                List.of("-t", "127.0.0.1:2003:4"),
                List.of("-t", "-5"),
                List.of("-i", "99999999999d"),
                List.of("-i", "500ms", "-t", "127.0.0.1:2003"),
                List.of("--collectors", "system,nosuch"))) {
            String[] argv = java.util.stream.Stream.concat(java.util.stream.Stream.of("agent", "--cycles", "1"), args.stream())
                    .toArray(String[]::new);
            Result result = AgentRun.run(LIMIT, Map.of(), argv);
            assertEquals(2, result.exit(), args + ": " + result);
            assertEquals("", result.stdout(), args.toString());
            assertEquals(1, result.stderrLines().size(), args + ": " + result.stderr());
        }
        Result directory = AgentRun.run(LIMIT, Map.of(), "agent", "--config", dir.toString());
        assertTrue(directory.stderr().startsWith("agent: " + dir + ": cannot read config: "), directory.stderr());
        Result missingDirectory = AgentRun.run(LIMIT, Map.of(), "agent", "--config", dir + "/nosuch/x.yaml");
        assertEquals("agent: " + dir + "/nosuch/x.yaml: cannot read config: no such directory: " + dir + "/nosuch",
                missingDirectory.stderr().strip());
        Result subSecond = AgentRun.run(LIMIT, Map.of(), "agent", "-i", "500ms", "-t", "127.0.0.1:2003");
        assertTrue(subSecond.stderr().contains("under 1s"), subSecond.stderr());
    }

    @ParameterizedTest(name = "spool.dir: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            '""'        | spool.dir: must not be empty
            relative    | spool.dir: must be an absolute path, not 'relative'
            """)
    void aSpoolDirectoryThatDependsOnTheWorkingDirectoryIsRefused(String value, String expected, @TempDir Path dir)
            throws Exception {
        Path file = config(dir, "spool:\n  dir: " + value + "\n");
        Result result = AgentRun.run(LIMIT, Map.of(), "agent", "--config", file.toString(), "-t", "127.0.0.1:2003");
        assertEquals(2, result.exit(), result.toString());
        assertEquals("agent: " + file + ":2: " + expected, result.stderr().strip());
    }

    @Test
    void aSpoolThatCannotBeCreatedSaysWhy(@TempDir Path dir) throws Exception {
        Path file = config(dir, "spool: {dir: /proc/gleaner-spool}\n");
        Result result = AgentRun.run(LIMIT, Map.of(), "agent", "--config", file.toString(), "-t", "127.0.0.1:2003");
        assertEquals(1, result.exit(), result.toString());
        String last = result.stderrLines().get(result.stderrLines().size() - 1);
        assertEquals("agent: error: cannot open the spool: /proc/gleaner-spool: no such file or directory", last);
    }

    @Test
    void theShippedSampleConfigRunsWithAShortInterval() {
        Path sample = org.gleaner.testkit.Requirements.repoRoot().resolve("systemd/gleaner.yaml");
        Result result = AgentRun.run(LIMIT, Map.of(), "agent", "--config", sample.toString(), "-i", "1s", "--stdout",
                "--cycles", "1", "--collectors", "system,memory");
        assertEquals(0, result.exit(), result.stderr());
    }

    /** The memory collector reads every process's page tables: by default once a minute, unless configured. */
    @Test
    void theMemoryCollectorRunsEveryMinuteUnlessConfiguredOtherwise(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("default"));
        Path byDefault = config(dir.resolve("default"), "");
        Result result = AgentRun.run(LIMIT, Map.of(), "agent", "--config", byDefault.toString(), "--stdout", "-i", "1s",
                "--cycles", "1", "--collectors", "system,memory");
        assertEquals(0, result.exit(), result.stderr());
        assertTrue(result.stderrLines().get(0).contains("collectors [system, memory (every 60000ms)], to stdout"), result.stderr());
        Path ownInterval = config(dir, "collectors: {memory: {interval: 1s}}\n");
        result = AgentRun.run(LIMIT, Map.of(), "agent", "--config", ownInterval.toString(), "--stdout", "-i", "1s",
                "--cycles", "1", "--collectors", "system,memory");
        assertEquals(0, result.exit(), result.stderr());
        assertTrue(result.stderrLines().get(0).contains("collectors [system, memory], to stdout"), result.stderr());
    }

    @Test
    void theStartLineComesFirstEvenWhenCarbonIsDown(@TempDir Path dir) throws Exception {
        Path file = config(dir, "spool: {dir: " + dir.resolve("spool") + "}\n");
        Result result = AgentRun.run(LIMIT, Map.of(), "agent", "--config", file.toString(), "-t", "127.0.0.1:1",
                "-i", "1s", "--cycles", "2", "--collectors", "system");
        assertEquals(0, result.exit(), result.stderr());
        assertTrue(result.stderrLines().get(0).contains("INFO gleaner agent: every 1000ms"), result.stderr());
    }

    @Test
    void liveSystemRunProducesTheDocumentedNames(@TempDir Path dir) throws Exception {
        Path file = config(dir, "hostname: " + HOST + "\n");
        Result result = AgentRun.run(LIMIT, Map.of(), "agent", "--config", file.toString(), "--stdout", "--cycles", "2",
                "--collectors", "system", "-i", "1s");
        assertEquals(0, result.exit(), result.stderr());
        List<String> lines = result.stdoutLines();
        for (String line : lines) {
            assertTrue(GRAPHITE_LINE.matcher(line).matches(), line);
        }
        Set<String> names = lines.stream().map(line -> line.split(" ")[0]).collect(Collectors.toSet());
        for (String expected : List.of("loadavg.1min", "loadavg.entities", "meminfo.MemTotal", "meminfo.MemAvailable",
                "vmstat.nr_free_pages", "vmstat.pgfault", "cpu.total.user", "cpu.total.idle", "context_switches", "forks",
                "procs.running", "procs.blocked", "interrupts", "pressure.cpu.some.avg10", "pressure.io.full.total_usec",
                "pressure.memory.some.avg300", "malformed_lines")) {
            assertTrue(names.contains(HOST + ".system." + expected), expected);
        }
        for (String self : List.of("collector.system.duration_ms", "collector.system.errors", "collector.system.overruns",
                "datapoints", "ticks.skipped", "counters.resets", "jvm.memory.heap.used")) {
            assertTrue(names.contains(HOST + ".gleaner." + self), self);
        }
        assertTrue(names.stream().anyMatch(name -> name.startsWith(HOST + ".gleaner.jvm.gc.")), "GC metrics");
        List<String> undefined = lines.stream().filter(line -> line.contains(".jvm.memory.") && line.contains(" -1 ")).toList();
        assertEquals(List.of(), undefined, "MemoryUsage's -1 means undefined, not a value");
        Set<String> cycles = lines.stream().filter(line -> line.startsWith(HOST + ".system.cpu.total.idle "))
                .map(line -> line.split(" ")[2]).collect(Collectors.toSet());
        assertEquals(1, cycles.size(), "a counter's first read emits nothing, the second a rate");
    }

    @Test
    void hostileNamesGiveExactlyOneWellFormedLineEach() {
        Result result;
        try (AgentRun run = AgentRun.startWithTestCollectors("--stdout", "--cycles", "2", "-i", "200ms",
                "--collectors", "hostile")) {
            result = run.await(LIMIT);
        }
        assertEquals(0, result.exit(), result.stderr());
        List<String> hostile = result.stdoutLines().stream().filter(line -> line.contains(".hostile.proc.")).toList();
        int names = HostileNamesCollectorFactory.NAMES.size();
        assertEquals(2 * names + names, hostile.size(), "gauges in both cycles, counter rates in the second: " + hostile);
        for (String line : result.stdoutLines()) {
            assertTrue(GRAPHITE_LINE.matcher(line).matches(), line);
        }
        for (String line : hostile) {
            String[] levels = line.split(" ")[0].split("\\.");
            assertEquals(5, levels.length, "HOST.hostile.proc.NAME.rss: " + line);
        }
        assertTrue(hostile.stream().anyMatch(line -> line.contains(".hostile.proc."
                + MetricNames.escape("fake 1 2\nsecond.line 3 4") + ".rss 7 ")), hostile.toString());
        assertTrue(hostile.stream().anyMatch(line -> line.contains(".hostile.proc." + MetricNames.escape("") + ".bytes 0 ")),
                hostile.toString());
        assertEquals(names, hostile.stream().map(line -> line.split(" ")[0].split("\\.")[3]).distinct().count(),
                "each name is a series of its own: " + hostile);
    }

    @Test
    void journaldGetsPriorityPrefixesAndATerminalGetsTimestamps() {
        Result journal = AgentRun.run(LIMIT, Map.of("JOURNAL_STREAM", AgentRun.JOURNAL_ON_STDERR),
                "agent", "--stdout", "--cycles", "1", "-i", "100ms", "--collectors", "system");
        assertEquals(0, journal.exit(), journal.stderr());
        assertFalse(journal.stderrLines().isEmpty());
        for (String line : journal.stderrLines()) {
            assertTrue(line.matches("<[0-7]>[^<].*") && !line.matches("<\\d>\\d{4}-.*"), line);
        }
        Result plain = AgentRun.run(LIMIT, Map.of("JOURNAL_STREAM", "1:2"),
                "agent", "--stdout", "--cycles", "1", "-i", "100ms", "--collectors", "system");
        for (String line : plain.stderrLines()) {
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO|WARN|ERROR|DEBUG) .*"), line);
        }
    }

    @Test
    void theLauncherGivesTheAgentTheFlagsOfALongRunningDaemon() throws Exception {
        try (AgentRun run = AgentRun.start(Map.of(), "agent", "--stdout", "-i", "10s", "--collectors", "system")) {
            Path proc = Path.of("/proc", Long.toString(run.process().pid()));
            List<String> flags = List.of();
            for (int attempt = 0; attempt < 100 && !flags.contains("org.gleaner.agent.cli.GleanerCommand"); attempt++) {
                Thread.sleep(50); // until the launcher has exec'ed java
                flags = List.of(new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
            }
            assertTrue(flags.containsAll(List.of("-Xms8m", "-Xmx32m", "-XX:CICompilerCount=1", "-XX:+ExitOnOutOfMemoryError",
                            "-XX:GuaranteedSafepointInterval=0", "-XX:AsyncDeflationInterval=60000")),
                    flags.toString());
            String environment = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
            assertTrue(List.of(environment.split("\0")).contains("MALLOC_ARENA_MAX=2"), "two malloc arenas");
            run.process().destroy();
            run.await(LIMIT);
        }
    }

    @Test
    void sigtermStopsCleanlyWithExitZero() throws Exception {
        try (AgentRun run = AgentRun.start(Map.of(), "agent", "--stdout", "-i", "200ms", "--collectors", "system")) {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (Files.size(run.stderrFile()) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(500);
            run.process().destroy(); // SIGTERM
            Result result = run.await(LIMIT);
            assertEquals(0, result.exit(), result.stderr());
            assertTrue(result.stdout().contains(".system.loadavg.1min "), "it collected before stopping");
        }
    }

    @Test
    void deliversToARealCarbonCache(@TempDir Path dir) throws Exception {
        try (CarbonCache carbon = CarbonCache.start()) {
            Path file = config(dir, "hostname: " + HOST + "\nspool: {dir: " + dir.resolve("spool") + "}\n");
            long from = System.currentTimeMillis() / 1000 - 1;
            Result result = AgentRun.run(LIMIT, Map.of(), "agent", "--config", file.toString(), "-i", "1s",
                    "-t", "127.0.0.1:" + carbon.plaintextPort(), "--cycles", "3", "--collectors", "system");
            assertEquals(0, result.exit(), result.stderr());
            assertEquals("", result.stdout(), "nothing on stdout when carbon is configured");
            long until = System.currentTimeMillis() / 1000 + 1;
            NavigableMap<Long, Double> memTotal = carbon.awaitPoints(HOST + ".system.meminfo.MemTotal", from, until, 3,
                    Duration.ofSeconds(20));
            assertEquals(3, memTotal.size(), memTotal.toString());
            assertTrue(memTotal.values().stream().allMatch(value -> value > 0), memTotal.toString());
            NavigableMap<Long, Double> idle = carbon.awaitPoints(HOST + ".system.cpu.total.idle", from, until, 2,
                    Duration.ofSeconds(20));
            assertEquals(2, idle.size(), "rates from the second cycle on: " + idle);
            assertFalse(carbon.awaitPoints(HOST + ".gleaner.datapoints", from, until, 3, Duration.ofSeconds(20)).isEmpty());
        }
    }
}
