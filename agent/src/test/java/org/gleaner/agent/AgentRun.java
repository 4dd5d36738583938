package org.gleaner.agent;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.CapturedProcess;
import org.gleaner.testkit.Requirements;

/** Runs the real launcher (bin/gleaner, or the jar plus test collectors) as a separate process, with environment. */
public final class AgentRun implements AutoCloseable {
    public record Result(int exit, String stdout, String stderr) {
        public List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        public List<String> stderrLines() {
            return stderr.lines().toList();
        }
    }

    /** As the value of JOURNAL_STREAM: the stderr file's own DEV:INODE, as systemd would set it. */
    public static final String JOURNAL_ON_STDERR = "(stderr)";

    private final CapturedProcess captured;

    private AgentRun(CapturedProcess captured) {
        this.captured = captured;
    }

    public static Path launcher() {
        Path launcher = Requirements.repoRoot().resolve("bin/gleaner");
        Requirements.require(Files.isReadable(Requirements.repoRoot().resolve("agent/target/gleaner.jar")),
                "the shaded jar is built (mvn package -DskipTests)");
        return launcher;
    }

    /** {@code bin/gleaner ARGS} with extra environment variables. */
    public static AgentRun start(Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        return start(command, environment);
    }

    /** The agent from the shaded jar with this module's test classes on the class path (test-only collectors). */
    public static AgentRun startWithTestCollectors(String... args) {
        Path root = Requirements.repoRoot();
        String classPath = launcher().getParent().getParent().resolve("agent/target/gleaner.jar") + File.pathSeparator
                + root.resolve("agent/target/test-classes");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath,
                "org.gleaner.agent.cli.GleanerCommand", "agent"));
        command.addAll(List.of(args));
        return start(command, Map.of());
    }

    private static AgentRun start(List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("NOTIFY_SOCKET");
        builder.environment().remove("WATCHDOG_USEC");
        builder.environment().remove("WATCHDOG_PID");
        builder.environment().remove("JOURNAL_STREAM");
        builder.environment().putAll(environment);
        try {
            return new AgentRun(CapturedProcess.start("gleaner-agent", builder, (b, out, err) -> {
                if (JOURNAL_ON_STDERR.equals(environment.get("JOURNAL_STREAM"))) {
                    b.environment().put("JOURNAL_STREAM",
                            Files.getAttribute(err, "unix:dev") + ":" + Files.getAttribute(err, "unix:ino"));
                }
            }));
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command + ": " + e.getMessage(), e);
        }
    }

    public static Result run(Duration limit, Map<String, String> environment, String... args) {
        try (AgentRun run = start(environment, args)) {
            return run.await(limit);
        }
    }

    public Process process() {
        return captured.process();
    }

    /** What the process printed so far. */
    public String stdout() throws IOException {
        return captured.stdout();
    }

    public Path stderrFile() {
        return captured.stderrFile();
    }

    public Result await(Duration limit) {
        Process process = captured.process();
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("timed out after " + limit + "; stderr: " + captured.stderr());
            }
            return new Result(process.exitValue(), captured.stdout(), captured.stderr());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        captured.close();
    }
}
