package org.gleaner.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A process started in the background with stdin from /dev/null and stdout and stderr going to
 * temporary files (a pipe nobody drains could block it). {@link #close()} kills it if it still runs
 * and deletes the files.
 */
public final class CapturedProcess implements AutoCloseable {

    /** Last changes to the builder once the output files exist (e.g. an environment naming the stderr file). */
    @FunctionalInterface
    public interface Preparation {
        void prepare(ProcessBuilder builder, Path stdout, Path stderr) throws IOException;
    }

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CapturedProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** {@code prefix} names the temporary files, e.g. "gleaner-agent". */
    public static CapturedProcess start(String prefix, ProcessBuilder builder) throws IOException {
        return start(prefix, builder, (b, out, err) -> { });
    }

    public static CapturedProcess start(String prefix, ProcessBuilder builder, Preparation preparation) throws IOException {
        Path stdout = Files.createTempFile(prefix, ".out");
        Path stderr = Files.createTempFile(prefix, ".err");
        try {
            builder.redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            preparation.prepare(builder, stdout, stderr);
            return new CapturedProcess(builder.start(), stdout, stderr);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
            throw e;
        }
    }

    public Process process() {
        return process;
    }

    public Path stdoutFile() {
        return stdout;
    }

    public Path stderrFile() {
        return stderr;
    }

    public String stdout() throws IOException {
        return Files.readString(stdout);
    }

    public String stderr() throws IOException {
        return Files.readString(stderr);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // temporary files left behind are harmless
        }
    }
}
