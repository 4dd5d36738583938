package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --exec with a real command that logs when each run starts and ends and which paths it got. */
class CommandRunnerTest {

    private static final long COOLDOWN_MILLIS = 200;
    private static final BytePath ROOT = BytePath.ofArgument("/w");

    @TempDir
    Path temp;

    @Test
    void runsNeverOverlapKeepTheCooldownAndChangesDuringARunGoToTheNext() throws Exception {
        Path log = temp.resolve("runs.log");
        Path received = temp.resolve("paths");
        String script = "echo start $(date +%s%N) >> '" + log + "'; cat >> '" + received + "'; sleep 0.3;"
                + " echo end $(date +%s%N) >> '" + log + "'";
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        CommandRunner runner = new CommandRunner(List.of("sh", "-c", script), COOLDOWN_MILLIS, false,
                new PrintStream(warnings, true, StandardCharsets.UTF_8));
        ChangeBatcher batcher = new ChangeBatcher(List.of(ROOT), false, 20);
        Thread loop = new Thread(() -> BatchLoop.run(batcher, runner, System.err));
        loop.start();
        Set<String> sent = new HashSet<>();
        try {
            for (int i = 0; i < 40; i++) {
                BytePath path = ROOT.resolve("f" + i);
                batcher.changed(path, false);
                sent.add(path.toString());
                Thread.sleep(50);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Set.copyOf(readLines(received)).equals(sent) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            loop.interrupt();
            loop.join(5000);
            runner.stop();
        }
        assertEquals(sent, Set.copyOf(readLines(received)), "every change reaches a run");
        List<long[]> runs = runs(readLines(log));
        assertTrue(runs.size() >= 2 && runs.size() < 40, "changes during a run are batched: " + runs.size() + " runs");
        for (int i = 1; i < runs.size(); i++) {
            long gapMillis = TimeUnit.NANOSECONDS.toMillis(runs.get(i)[0] - runs.get(i - 1)[1]);
            assertTrue(gapMillis >= COOLDOWN_MILLIS, "run " + i + " started " + gapMillis + " ms after the previous ended");
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFailingRunIsReportedAndTheNextStillHappens() throws Exception {
        Path count = temp.resolve("count");
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        CommandRunner runner = new CommandRunner(List.of("sh", "-c", "echo x >> '" + count + "'; exit 3"), 0, false,
                new PrintStream(warnings, true, StandardCharsets.UTF_8));
        runner.deliver(new ChangeBatcher.Batch(List.of(ROOT.resolve("a")), false));
        runner.deliver(new ChangeBatcher.Batch(List.of(ROOT.resolve("b")), false));
        assertEquals(2, readLines(count).size());
        assertEquals("fatrace-pipe: warning: sh exited with status 3\n".repeat(2), warnings.toString(StandardCharsets.UTF_8));
    }

    private static List<String> readLines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    /** [start, end] nanosecond pairs, checking that every start is followed by its own end first. */
    private static List<long[]> runs(List<String> log) {
        List<long[]> runs = new ArrayList<>();
        for (int i = 0; i + 1 < log.size(); i += 2) {
            assertTrue(log.get(i).startsWith("start ") && log.get(i + 1).startsWith("end "), "overlapping runs: " + log);
            runs.add(new long[] {Long.parseLong(log.get(i).substring(6)), Long.parseLong(log.get(i + 1).substring(4))});
        }
        return runs;
    }
}
