package org.gleaner.agent.filewatch;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a command once per batch ({@code --exec}): one run at a time, then a cooldown before the next;
 * changes made meanwhile wait in the batcher and form the next batch. The batch's paths go to the
 * command's standard input in the same format as the normal output (lines, or NUL-terminated with
 * {@code -0}); its standard output and error are ours. A failed run is reported and the watch goes on.
 */
public final class CommandRunner implements BatchSink {

    private final List<String> command;
    private final long cooldownMillis;
    private final byte separator;
    private final PrintStream warnings;
    private volatile Process running;

    public CommandRunner(List<String> command, long cooldownMillis, boolean nulSeparated, PrintStream warnings) {
        this.command = List.copyOf(command);
        this.cooldownMillis = cooldownMillis;
        this.separator = nulSeparated ? (byte) 0 : (byte) '\n';
        this.warnings = warnings;
    }

    @Override
    public void deliver(ChangeBatcher.Batch batch) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        running = process;
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(PathLines.encode(batch, separator, warnings));
        } catch (IOException commandIgnoredItsInput) {
            // It exited or closed its input without reading the paths: that is its choice.
        }
        int exit = process.waitFor();
        running = null;
        if (exit != 0) {
            warnings.println("fatrace-pipe: warning: " + command.get(0) + " exited with status " + exit);
        }
        Thread.sleep(cooldownMillis);
    }

    /**
     * Checks at start what execvp(3) would find at the first change: {@code program} itself when it
     * holds a '/', else an executable of that name in a directory of PATH.
     *
     * @throws IllegalArgumentException saying why it could not be run
     */
    public static void checkStartable(String program) {
        if (program.contains("/")) {
            Path file = Path.of(program);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--exec: " + program + ": no such file");
            }
            if (!Files.isExecutable(file)) {
                throw new IllegalArgumentException("--exec: " + program + ": not executable");
            }
            return;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":", -1)) {
            Path file = Path.of(dir.isEmpty() ? "." : dir).resolve(program);
            if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                return;
            }
        }
        throw new IllegalArgumentException("--exec: " + program + ": command not found in PATH");
    }

    /** Stops a run in progress (on exit), so that no command outlives fatrace-pipe. */
    public void stop() {
        Process process = running;
        if (process != null) {
            process.destroy();
        }
    }
}
