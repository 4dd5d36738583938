package org.gleaner.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.CapturedProcess;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.FanotifyMarks;
import org.gleaner.testkit.Launcher;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.TempTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** What a user sees from the launchers when they get something wrong: one line saying what and why, and the exit status. */
class ToolUsageTest {
    static final Duration LIMIT = Duration.ofSeconds(60);

    static Cmd.Result run(String launcher, String... args) {
        return Launcher.run(launcher, LIMIT, List.of(args));
    }

    static void assertOneLine(Cmd.Result result, int exit, String expected) {
        assertEquals(exit, result.exit(), result.toString());
        assertEquals(expected, result.stderr().strip(), result.toString());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            gleaner      | nosuch                           | gleaner: unknown subcommand 'nosuch' (subcommands: help, agent, bitrot-scrub, fatrace, fatrace-pipe, ps-mem, peers) (see --help)
            ps-mem       | -n abc                           | ps-mem: Invalid value for option '--min-val': 'abc' is not a number (see --help)
            fatrace      | -s soon                          | fatrace: Invalid value for option '--seconds': 'soon' is not a number (see --help)
            fatrace      | -C ''                            | fatrace: --command needs a process name
            fatrace-pipe | /tmp --exec /nonexistent/cmd     | fatrace-pipe: --exec: /nonexistent/cmd: no such file (see --help)
            fatrace-pipe | /tmp --exec gleaner-no-such-cmd  | fatrace-pipe: --exec: gleaner-no-such-cmd: command not found in PATH (see --help)
            fatrace-pipe | /tmp --cooldown 5                | fatrace-pipe: --cooldown needs --exec (see --help)
            fatrace-pipe | -C '' /tmp                       | fatrace-pipe: --command needs a process name
            """)
    void aUsageProblemIsOneLineAndExit2(String launcher, String args, String expected) {
        List<String> argv = new ArrayList<>();
        for (String arg : args.split(" ")) {
            argv.add(arg.equals("''") ? "" : arg);
        }
        assertOneLine(Launcher.run(launcher, LIMIT, argv), 2, expected);
    }

    @Test
    void aFileThatCannotBeCreatedSaysWhy() {
        Cmd.Result result = run("fatrace", "-o", "/nonexistent/dir/x");
        assertOneLine(result, 1, "fatrace: error: /nonexistent/dir/x: no such directory: /nonexistent/dir");
    }

    @Test
    void fatracePipeOnAFilesystemWithoutFileHandlesSaysWhatToWatchInstead() {
        Cmd.Result result = run("fatrace-pipe", "/proc");
        assertEquals(2, result.exit(), result.toString());
        assertTrue(result.stderr().contains("fatrace-pipe watches directories on filesystems that do (ext4"), result.stderr());
        assertTrue(!result.stderr().contains(" mode"), "no mode a user cannot choose: " + result.stderr());
    }

    @Test
    void psMemFailsLikePsAndPgrepWhenNothingIsSelected() {
        Cmd.Result noSuchPid = run("ps-mem", "--pid", "999999");
        assertEquals(1, noSuchPid.exit(), noSuchPid.toString());
        assertTrue(noSuchPid.stderr().contains("no such user process: 999999"), noSuchPid.stderr());
        Cmd.Result kernelThread = run("ps-mem", "--pid", "2");
        assertEquals(1, kernelThread.exit(), kernelThread.toString());
        Cmd.Result noSuchName = run("ps-mem", "gleaner-no-such-name");
        assertEquals(1, noSuchName.exit(), noSuchName.toString());
        assertTrue(noSuchName.stderr().contains("ps-mem: no process matches 'gleaner-no-such-name'"), noSuchName.stderr());
        Cmd.Result self = run("ps-mem", "--pid", Long.toString(ProcessHandle.current().pid()));
        assertEquals(0, self.exit(), self.toString());
    }

    @Test
    @Privileged("fatrace needs root")
    void fatraceCutsALongCommandAsTheKernelDoesAndSaysSo() {
        Cmd.Result result = run("fatrace", "-s", "1", "-C", "a-very-long-process-name");
        assertEquals(0, result.exit(), result.toString());
        assertEquals("fatrace: note: --command a-very-long-process-name is matched as a-very-long-pro: the kernel keeps"
                + " only the first 15 characters of a process name", result.stderr().strip());
    }

    @Test
    @Privileged("fatrace needs root")
    void fatraceCreatesItsLogForItsOwnerOnly(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("events.log");
        Cmd.Result result = run("fatrace", "-s", "1", "-o", log.toString());
        assertEquals(0, result.exit(), result.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
    }

    @Test
    @Privileged("fatrace needs root")
    void fatraceStopsAsSoonAsItsReaderGoesAway() throws Exception {
        // on the checkout's filesystem, which fatrace watches (a tmpfs /tmp is not backed by a device)
        Path dir = Files.createTempDirectory(Requirements.repoRoot().resolve("agent/target"), "head-");
        // a shell that stays alive, and stays itself, after its one create, so that fatrace can still
        // read its name when it takes the event: bash execs a -c string's last external command, which
        // renames the process, so the sleep runs in the background and the builtin wait comes last
        Path shellCopy = dir.resolve("gl-head-sh");
        Files.copy(Path.of("/bin/bash"), shellCopy);
        Files.setPosixFilePermissions(shellCopy, PosixFilePermissions.fromString("rwx------"));
        Path fatrace = Requirements.repoRoot().resolve("bin/fatrace");
        ProcessBuilder pipeline = new ProcessBuilder("bash", "-c", "\"$0\" -C gl-head-sh -f + | head -1", fatrace.toString());
        try (CapturedProcess shell = CapturedProcess.start("gleaner-head", pipeline)) {
            ProcessHandle java = awaitDescendant(shell.process(), "java");
            FanotifyMarks.awaitFilesystem(java, dir, LIMIT);
            // exactly one matching event: head takes it and leaves; nothing more is ever written
            Process creator = new ProcessBuilder(shellCopy.toString(), "-c", ": > \"$0\"; sleep 30 & wait",
                    dir.resolve("one").toString()).start();
            try {
                long created = System.nanoTime();
                boolean ended = shell.process().waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                assertTrue(ended, "fatrace is still running; stdout: " + shell.stdout() + "; stderr: " + shell.stderr());
                long millis = (System.nanoTime() - created) / 1_000_000;
                assertEquals(0, shell.process().exitValue(), shell.stderr());
                assertTrue(shell.stdout().startsWith("gl-head-sh("), shell.stdout());
                assertTrue(millis < 2000, "fatrace ended " + millis + " ms after the event (the machine may be loaded)");
            } finally {
                creator.descendants().forEach(ProcessHandle::destroyForcibly);
                creator.destroyForcibly();
            }
        } finally {
            TempTrees.delete(dir);
        }
    }

    private static ProcessHandle awaitDescendant(Process process, String command) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            var found = process.descendants().filter(handle -> handle.info().command().orElse("").endsWith("/" + command))
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + command + " process started");
    }

    /** Every paragraph of every command's description ends a sentence: picocli lists the first one per subcommand. */
    @Test
    void helpDescriptionsAreWholeSentences() {
        List<CommandSpec> specs = new ArrayList<>();
        collect(GleanerCommand.commandLine(), specs);
        for (CommandSpec spec : specs) {
            for (String paragraph : spec.usageMessage().description()) {
                assertTrue(paragraph.replace("%n", "").strip().matches("(?s).*[.)]"), spec.name() + ": " + paragraph);
            }
        }
    }

    @Test
    void everyToolHasDebugAndNoHelpWarning() {
        List<CommandSpec> specs = new ArrayList<>();
        collect(GleanerCommand.commandLine(), specs);
        for (CommandSpec spec : specs) {
            if (spec.parent() != null && spec.parent().parent() == null && !spec.name().equals("help")) {
                assertTrue(spec.optionsMap().containsKey("--debug"), spec.name() + " has no --debug");
            }
        }
        for (String tool : List.of("gleaner", "ps-mem", "fatrace", "fatrace-pipe", "bitrot-scrub")) {
            Cmd.Result help = run(tool, "--help");
            assertEquals(0, help.exit(), help.toString());
            assertEquals("", help.stderr(), tool + " --help");
        }
    }

    private static void collect(CommandLine commandLine, List<CommandSpec> out) {
        out.add(commandLine.getCommandSpec());
        commandLine.getSubcommands().values().forEach(sub -> {
            if (!out.contains(sub.getCommandSpec())) {
                collect(sub, out);
            }
        });
    }
}
