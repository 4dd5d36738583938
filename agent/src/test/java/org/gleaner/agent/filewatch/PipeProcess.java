package org.gleaner.agent.filewatch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.Requirements;

/** A running bin/fatrace-pipe: its output split into records, its stderr kept, always stopped by close(). */
final class PipeProcess implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofSeconds(20);

    final Process process;
    private final BlockingQueue<String> records = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();

    private PipeProcess(Process process, char separator) {
        this.process = process;
        Thread out = new Thread(() -> split(process.getInputStream(), separator), "pipe-stdout");
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(() -> copy(process.getErrorStream()), "pipe-stderr");
        err.setDaemon(true);
        err.start();
    }

    static Path launcher() {
        return Requirements.repoRoot().resolve("bin/fatrace-pipe");
    }

    /** Starts fatrace-pipe with {@code args} and waits until it says its watch is in place. */
    static PipeProcess start(char separator, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher().toString()));
        command.addAll(List.of(args));
        return start(separator, command);
    }

    /** Starts {@code command} (which runs fatrace-pipe) and waits until it says its watch is in place. */
    static PipeProcess start(char separator, List<String> command) throws Exception {
        PipeProcess pipe = new PipeProcess(new ProcessBuilder(command).start(), separator);
        pipe.awaitStderr("fatrace-pipe: watching ", START_LIMIT);
        return pipe;
    }

    void awaitStderr(String text, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!stderr.toString().contains(text)) {
            if (System.nanoTime() > deadline || !process.isAlive() && !stderr.toString().contains(text)) {
                Thread.sleep(100);
                throw new AssertionError("no '" + text + "' on stderr within " + limit + " (alive: "
                        + process.isAlive() + "); stderr: " + stderr);
            }
            Thread.sleep(10);
        }
    }

    String stderr() {
        return stderr.toString();
    }

    /** The next record, or null when none comes within {@code limit}. */
    String next(Duration limit) throws InterruptedException {
        return records.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every record up to and including {@code last}, failing if it does not come within {@code limit}. */
    List<String> until(String last, Duration limit) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String record = records.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (record == null) {
                throw new AssertionError("no " + last + " within " + limit + "; got " + seen + "; stderr: " + stderr);
            }
            seen.add(record);
            if (record.equals(last)) {
                return seen;
            }
        }
    }

    private void split(InputStream in, char separator) {
        StringBuilder record = new StringBuilder();
        try (in) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                String text = new String(buffer, 0, n, StandardCharsets.UTF_8);
                for (char c : text.toCharArray()) {
                    if (c == separator) {
                        records.add(record.toString());
                        record.setLength(0);
                    } else {
                        record.append(c);
                    }
                }
            }
        } catch (IOException closed) {
            // the process went away
        }
    }

    private void copy(InputStream in) {
        try (in) {
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                stderr.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException closed) {
            // the process went away
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
