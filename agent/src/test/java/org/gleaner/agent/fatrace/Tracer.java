package org.gleaner.agent.fatrace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.FanotifyMarks;

/** A file-access tracer (bin/fatrace or the real one) running in the background, output to files. */
final class Tracer implements AutoCloseable {
    static final Duration READY = Duration.ofSeconds(15);

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private Tracer(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code command} in {@code cwd} and returns once it has placed its fanotify marks. */
    static Tracer start(Path cwd, String... command) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile("gleaner-tracer", ".out");
        Path stderr = Files.createTempFile("gleaner-tracer", ".err");
        Process process = new ProcessBuilder(List.of(command)).directory(cwd.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Tracer tracer = new Tracer(process, stdout, stderr);
        try {
            FanotifyMarks.await(process.toHandle(), READY);
        } catch (AssertionError e) {
            String errors = tracer.stderr();
            tracer.close();
            throw new AssertionError(e.getMessage() + "; stderr: " + errors, e);
        }
        return tracer;
    }

    Process process() {
        return process;
    }

    /** Waits for the tracer to end by itself (-s) and returns its exit code. */
    int await(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("tracer still running after " + limit);
        }
        return process.exitValue();
    }

    List<String> lines() throws IOException {
        return new ArrayList<>(Files.readAllLines(stdout));
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
    }
}
