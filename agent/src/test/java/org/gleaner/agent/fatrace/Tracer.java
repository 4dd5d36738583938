package org.gleaner.agent.fatrace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.CapturedProcess;
import org.gleaner.testkit.FanotifyMarks;

/** A file-access tracer (bin/fatrace or the real one) running in the background, output to files. */
final class Tracer implements AutoCloseable {
    static final Duration READY = Duration.ofSeconds(15);

    private final CapturedProcess captured;

    private Tracer(CapturedProcess captured) {
        this.captured = captured;
    }

    /** Starts {@code command} in {@code cwd} and returns once it has placed its fanotify marks. */
    static Tracer start(Path cwd, String... command) throws IOException, InterruptedException {
        Tracer tracer = new Tracer(CapturedProcess.start("gleaner-tracer",
                new ProcessBuilder(List.of(command)).directory(cwd.toFile())));
        try {
            FanotifyMarks.await(tracer.process().toHandle(), READY);
        } catch (AssertionError e) {
            String stderr = tracer.stderr();
            tracer.close();
            throw new AssertionError(e.getMessage() + "; stderr: " + stderr, e);
        }
        return tracer;
    }

    Process process() {
        return captured.process();
    }

    /** Waits for the tracer to end by itself (-s) and returns its exit code. */
    int await(Duration limit) throws InterruptedException {
        if (!process().waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("tracer still running after " + limit);
        }
        return process().exitValue();
    }

    List<String> lines() throws IOException {
        return new ArrayList<>(Files.readAllLines(captured.stdoutFile()));
    }

    String stderr() throws IOException {
        return captured.stderr();
    }

    @Override
    public void close() {
        captured.close();
    }
}
