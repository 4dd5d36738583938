package org.gleaner.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.gleaner.agent.AgentRun;
import org.gleaner.agent.AgentRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP reloads the config (the unit's ExecReload): a good file is applied at the next tick, a bad one is not. */
class AgentReloadTest {
    static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void sighupAppliesAGoodConfigAndKeepsTheOldOneWhenTheNewIsBad(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gleaner.yaml");
        Files.writeString(file, "hostname: before\n");
        Result result;
        try (AgentRun run = AgentRun.start(Map.of(), "agent", "--config", file.toString(), "--stdout", "-i", "1s",
                "--collectors", "system")) {
            awaitStdout(run, "before.system.");
            Files.writeString(file, "hostname: after\n");
            signal(run, "HUP");
            awaitStdout(run, "after.system.");
            Files.writeString(file, "hostname: [unclosed\n");
            signal(run, "HUP");
            awaitStderr(run, "config not reloaded");
            long afterLines = countLines(run, "after.system.loadavg.1min ");
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (countLines(run, "after.system.loadavg.1min ") < afterLines + 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(run.process().isAlive(), "a bad config does not stop the agent");
            run.process().destroy();
            result = run.await(LIMIT);
        }
        assertEquals(0, result.exit(), result.stderr());
        List<String> hosts = result.stdoutLines().stream().map(line -> line.substring(0, line.indexOf('.'))).distinct().toList();
        assertEquals(List.of("before", "after"), hosts, "the new config from the next tick on, then still the same");
        List<String> warnings = result.stderrLines().stream().filter(line -> line.contains("config not reloaded")).toList();
        assertEquals(1, warnings.size(), result.stderr());
        assertTrue(warnings.get(0).contains(file + ":1: not valid YAML") || warnings.get(0).contains(file + ":2: not valid YAML"),
                warnings.get(0));
    }

    private static void signal(AgentRun run, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(run.process().pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    private static long countLines(AgentRun run, String prefix) throws Exception {
        return run.stdout().lines().filter(line -> line.startsWith(prefix)).count();
    }

    private static void awaitStdout(AgentRun run, String prefix) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (countLines(run, prefix) == 0) {
            assertTrue(System.nanoTime() < deadline && run.process().isAlive(), "no line starting " + prefix);
            Thread.sleep(100);
        }
    }

    private static void awaitStderr(AgentRun run, String text) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!Files.readString(run.stderrFile()).contains(text)) {
            assertTrue(System.nanoTime() < deadline && run.process().isAlive(), "no log line with " + text);
            Thread.sleep(100);
        }
    }
}
