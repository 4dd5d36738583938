package org.gleaner.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running memhog (see memhog.c): a process, and optionally forked children, with a known amount
 * of private and shared memory touched. Close it to stop them all.
 */
public final class MemHog implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;

    /** Starts {@code command} (a memhog binary and its arguments, optionally behind a wrapper such as setpriv). */
    public MemHog(List<String> command) {
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command + ": " + e.getMessage(), e);
        }
        stdin = process.getOutputStream();
    }

    public static List<String> command(Path binary, int privateMib, int sharedMib, int children, String... more) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), Integer.toString(privateMib),
                Integer.toString(sharedMib), Integer.toString(children)));
        command.addAll(Arrays.asList(more));
        return command;
    }

    /** The memhog's pid, known before {@link #touch} (to put it in a cgroup first). */
    public long pid() {
        return process.pid();
    }

    /** Lets it allocate and waits until every process has touched its memory; returns all pids, parent first. */
    public List<Integer> touch(Duration limit) {
        try {
            stdin.write('\n');
            stdin.flush();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null || !line.startsWith("ready ")) {
                throw new AssertionError("memhog did not get ready: " + line);
            }
            return Arrays.stream(line.substring(6).trim().split(" ")).map(Integer::valueOf).toList();
        } catch (Exception e) {
            throw new AssertionError("memhog did not get ready within " + limit + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
