package org.gleaner.collectors.syscallio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A scope made for one test in the unified (v2) cgroup hierarchy, named after the test's pid, and
 * the shell scripts started inside it. Closing kills what is left in it and removes it.
 */
final class TestUnit implements AutoCloseable {
    private static final Path UNIFIED = unifiedMount();

    final String scope;
    final Path directory;

    TestUnit(String purpose) throws IOException {
        scope = "gleaner-test-" + purpose + "-" + ProcessHandle.current().pid();
        directory = UNIFIED.resolve(scope + ".scope");
        Files.createDirectory(directory);
    }

    /** The unit's name as {@link SyscallIoCollector.Settings#systemdUnits()} gives it. */
    List<String> unitName() {
        return List.of("scopes", scope);
    }

    /** Starts {@code sh -c script} after moving the shell into this unit (nothing runs outside it). */
    Process start(String script) throws IOException {
        String enter = "echo $$ > '" + directory.resolve("cgroup.procs") + "' || exit 97; ";
        return new ProcessBuilder("sh", "-c", enter + "exec sh -c '" + script.replace("'", "'\\''") + "'")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Runs {@code script} inside this unit to completion (bounded by {@code limit}) and checks it succeeded. */
    void run(String script, Duration limit) throws IOException, InterruptedException {
        Process process = start(script);
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("timed out after " + limit + ": " + script);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("exit " + process.exitValue() + ": " + script);
            }
        } finally {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Path kill = directory.resolve("cgroup.kill");
        for (int attempt = 0; attempt < 50; attempt++) {
            if (Files.readString(directory.resolve("cgroup.procs")).isBlank()) {
                Files.delete(directory);
                return;
            }
            Files.writeString(kill, "1"); // only processes this test started are in its scope
            Thread.sleep(20);
        }
        throw new IOException("cannot empty " + directory);
    }

    private static Path unifiedMount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && fields[2].equals("cgroup2")) {
                    return Path.of(fields[1]);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/mounts", e);
        }
        return null;
    }

    static boolean available() {
        return UNIFIED != null;
    }
}
