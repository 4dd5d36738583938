package org.gleaner.agent.fatrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.collectors.text.ByteText;
import org.gleaner.testkit.CapturedProcess;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.FanotifyMarks;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names are bytes: the real launchers, run without a locale as cron and the systemd unit run
 * them ({@code env -i}, so the JVM's file name charset is ASCII), keep running and report the exact
 * names when files named {@code café.txt}, {@code \xff\xfebad} and {@code \xfe\xffbad} appear.
 */
@Privileged("fanotify filesystem marks need CAP_SYS_ADMIN; a private tmpfs")
class NamesAsBytesTest {
    private static final List<String> NO_LOCALE = List.of("env", "-i", "PATH=/usr/bin:/bin");
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The names, made by a shell with octal escapes (printf), so no JVM charset is involved. */
    private static final String MAKE_FILES = "mkdir -p \"$1\" && cd \"$1\" && echo x > café.txt && echo x > \"$(printf '\\377\\376bad')\""
            + " && echo x > \"$(printf '\\376\\377bad')\" && echo x > done";
    private static final List<byte[]> NAMES = List.of("café.txt".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xff, (byte) 0xfe, 'b', 'a', 'd'}, new byte[] {(byte) 0xfe, (byte) 0xff, 'b', 'a', 'd'});

    @TempDir
    Path configDir;

    private static String bin(String launcher) {
        return Requirements.repoRoot().resolve("bin").resolve(launcher).toString();
    }

    private static List<String> withoutLocale(String... command) {
        List<String> all = new ArrayList<>(NO_LOCALE);
        all.addAll(Arrays.asList(command));
        return all;
    }

    private static byte[] path(Path directory, byte[] name) {
        byte[] dir = (directory + "/").getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(dir, dir.length + name.length);
        System.arraycopy(name, 0, all, dir.length, name.length);
        return all;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    private static byte[] stdout(CapturedProcess process) {
        try {
            return Files.readAllBytes(process.stdoutFile());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fatracePipePrintsTheExactBytesOfEachName() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("names-pipe");
                CapturedProcess pipe = CapturedProcess.start("names-pipe",
                        new ProcessBuilder(withoutLocale(bin("fatrace-pipe"), "-0", tmpfs.path().toString())))) {
            FanotifyMarks.await(pipe.process().toHandle(), WAIT);
            Cmd.run(WAIT, "sh", "-c", MAKE_FILES, "sh", tmpfs.path().toString()).ok();
            byte[] done = path(tmpfs.path(), "done".getBytes(StandardCharsets.US_ASCII));
            await(() -> records(stdout(pipe)).contains(Arrays.toString(done)) || !pipe.process().isAlive(), "done");
            assertTrue(pipe.process().isAlive(), "fatrace-pipe died: " + pipe.stderr());
            Set<String> expected = new HashSet<>();
            for (byte[] name : NAMES) {
                expected.add(Arrays.toString(path(tmpfs.path(), name)));
            }
            expected.add(Arrays.toString(done));
            assertEquals(expected, records(stdout(pipe)), "NUL-terminated exact bytes; stderr: " + pipe.stderr());
        }
    }

    /** The NUL-terminated records of {@code -0} output, each as Arrays.toString of its bytes. */
    private static Set<String> records(byte[] output) {
        Set<String> records = new HashSet<>();
        int start = 0;
        for (int i = 0; i < output.length; i++) {
            if (output[i] == 0) {
                records.add(Arrays.toString(Arrays.copyOfRange(output, start, i)));
                start = i + 1;
            }
        }
        return records;
    }

    @Test
    void fatracePrintsEachNameInTheOneReversibleForm() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("names-fatrace")) {
            for (boolean json : new boolean[] {false, true}) {
                List<String> command = withoutLocale(FatraceToolTest.fatrace(), "-c", "-f", "+");
                if (json) {
                    command.add("--json");
                }
                Path directory = tmpfs.path().resolve("json-" + json);
                try (CapturedProcess tracer = CapturedProcess.start("names-fatrace",
                        new ProcessBuilder(command).directory(tmpfs.path().toFile()))) {
                    FanotifyMarks.await(tracer.process().toHandle(), WAIT);
                    Cmd.run(WAIT, "sh", "-c", MAKE_FILES, "sh", directory.toString()).ok();
                    await(() -> new String(stdout(tracer), StandardCharsets.UTF_8).contains(directory + "/done")
                            || !tracer.process().isAlive(), "done");
                    assertTrue(tracer.process().isAlive(), "fatrace died: " + tracer.stderr());
                    String output = new String(stdout(tracer), StandardCharsets.UTF_8);
                    for (byte[] name : NAMES) {
                        byte[] path = path(directory, name);
                        String human = ByteText.human(path);
                        if (json) {
                            StringBuilder member = ByteText.appendJsonMember(new StringBuilder(), "path", path);
                            assertTrue(output.contains(member), member + " in " + output);
                        } else {
                            assertTrue(output.lines().anyMatch(line -> line.endsWith(": + " + human)), human + " in " + output);
                        }
                    }
                    String shown = json ? "\\\\x" : "\\x"; // JSON escapes the backslash once more
                    assertTrue(output.contains(shown + "ff" + shown + "febad") && output.contains(shown + "fe" + shown + "ffbad"), output);
                }
            }
        }
    }

    private static final Pattern LINE = Pattern.compile("^\\S+?\\.fanotify\\.(\\S+) (\\S+) (\\d+)$");

    @Test
    void theAgentsFanotifyCollectorKeepsCounting() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("names-agent")) {
            Path config = Files.writeString(configDir.resolve("gleaner.yaml"),
                    "collectors:\n  fanotify:\n    paths: [\"" + tmpfs.path() + "\"]\n");
            try (CapturedProcess agent = CapturedProcess.start("names-agent", new ProcessBuilder(withoutLocale(
                    bin("gleaner"), "agent", "--config", config.toString(), "--stdout", "--cycles", "5",
                    "--collectors", "fanotify", "-i", "1s")))) {
                // Counters are sent as rates from the second cycle on: make the files after the first.
                await(() -> new String(stdout(agent), StandardCharsets.UTF_8).contains(".collector.fanotify.datapoints ")
                        || !agent.process().isAlive(), "the first cycle");
                Cmd.run(WAIT, "sh", "-c", MAKE_FILES, "sh", tmpfs.path().toString()).ok();
                assertTrue(agent.process().waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "agent ended");
                assertEquals(0, agent.process().exitValue(), agent.stderr());
                Map<String, Double> totals = new HashMap<>();
                for (String line : agent.stdout().split("\n")) {
                    Matcher matcher = LINE.matcher(line);
                    if (matcher.matches()) {
                        totals.merge(matcher.group(1), Double.parseDouble(matcher.group(2)), Double::sum);
                    }
                }
                assertTrue(totals.getOrDefault("type.create", 0.0) > 0, "creates counted: " + agent.stdout() + agent.stderr());
                assertTrue(agent.stdout().lines().filter(line -> line.contains(".collector.fanotify.errors "))
                        .allMatch(line -> line.split(" ")[1].equals("0")), "no collector errors: " + agent.stdout());
            }
        }
    }
}
