package org.gleaner.agent.fatrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.gleaner.testkit.BtrfsSubvolume;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.FanotifyQueue;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.TempTrees;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;

/** How bin/fatrace stops, fails and warns: signals, a closed pipe, overflow, bad arguments. */
class FatraceBehaviourTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @Test
    @Privileged("fatrace marks a filesystem")
    void sigintStopsCleanlyWithOutputFlushed() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fatrace-int");
             Tracer tracer = Tracer.start(tmpfs.path(), FatraceToolTest.fatrace(), "-c")) {
            Cmd.run(LIMIT, "sh", "-c", "echo x > \"$1\"/before-int", "sh", tmpfs.path().toString()).ok();
            Thread.sleep(300);
            Cmd.run(LIMIT, "kill", "-INT", Long.toString(tracer.process().pid())).ok();
            assertEquals(0, tracer.await(LIMIT), tracer.stderr());
            assertEquals("", tracer.stderr());
            assertTrue(tracer.lines().stream().anyMatch(l -> l.endsWith("/before-int")), tracer.lines().toString());
        }
    }

    @Test
    @Privileged("fatrace marks a filesystem")
    void closedPipeEndsItQuietly() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fatrace-pipe")) {
            // head exits after one line; fatrace must notice on its next write and exit 0 without a
            // trace, long before its -s 60. Files are written until the pipeline is over (at most 15 s).
            Cmd.Result result = Cmd.run(LIMIT, "bash", "-c",
                    "cd \"$1\" || exit 1; { \"$2\" -c -s 60 | head -n 1; echo \"exit=${PIPESTATUS[0]}\"; } & pipeline=$!; "
                            + "for i in $(seq 750); do echo $i > f$i; sleep 0.02; kill -0 $pipeline 2>/dev/null || break; done; "
                            + "kill -0 $pipeline 2>/dev/null && echo still-running; wait",
                    "bash", tmpfs.path().toString(), FatraceToolTest.fatrace());
            List<String> lines = result.stdout().lines().toList();
            assertEquals(2, lines.size(), result.stdout() + result.stderr());
            assertTrue(lines.get(0).matches(".*\\(\\d+\\): \\S+ " + Pattern.quote(tmpfs.path().toString()) + "/f\\d+"),
                    lines.get(0));
            assertEquals("exit=0", lines.get(1));
            assertEquals("", result.stderr());
        }
    }

    @Test
    @Privileged("lowering fs.fanotify.max_queued_events needs root")
    void overflowIsReportedOnStderr() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fatrace-overflow")) {
            Path root = tmpfs.path();
            // The limit is copied into the group at fanotify_init: restored once the tracer has started.
            Tracer tracer = FanotifyQueue.whileCreating(32,
                    () -> Tracer.start(root, FatraceToolTest.fatrace(), "-c", "-s", "4", "-o", root.resolve("log").toString()));
            try (tracer) {
                // Stopped, it cannot read: 2000 creates must overflow its 32-event queue.
                Cmd.run(LIMIT, "kill", "-STOP", Long.toString(tracer.process().pid())).ok();
                try {
                    Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && seq 1 2000 | xargs touch", "sh", root.toString()).ok();
                } finally {
                    Cmd.run(LIMIT, "kill", "-CONT", Long.toString(tracer.process().pid())).ok();
                }
                assertEquals(0, tracer.await(LIMIT), tracer.stderr());
                assertTrue(tracer.stderr().contains("fatrace: warning: the kernel's event queue overflowed"), tracer.stderr());
                assertTrue(tracer.stderr().contains("queue overflow(s): some events were not reported"), tracer.stderr());
            }
        }
    }

    @Test
    void badArgumentsAreOneLineUsageErrors() throws Exception {
        assertUsageError("--seconds must be a positive number of seconds, not 0", "-s", "0");
        assertUsageError("unknown event type 'X' in --filter (choose from R C W O + D < >)", "-f", "RX");
        assertUsageError("--timestamp can be given at most twice", "-ttt");
        assertUsageError("--ignore-pid needs a positive process id, not -3", "-p", "-3");
        Path existing = Files.createTempFile("gleaner-fatrace", ".log");
        try {
            assertUsageError("--output " + existing + " already exists; fatrace does not overwrite files",
                    "-c", "-s", "1", "-o", existing.toString());
        } finally {
            Files.delete(existing);
        }
    }

    private static void assertUsageError(String message, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(FatraceToolTest.fatrace()));
        command.addAll(List.of(args));
        Cmd.Result result = Cmd.run(LIMIT, command, null);
        assertEquals(2, result.exit(), result.stderr());
        assertEquals("fatrace: " + message + "\n", result.stderr());
        assertEquals("", result.stdout());
    }

    @Test
    @Privileged("switching to user nobody needs root")
    void normalUserGetsOneLineSayingWhatToDo() throws Exception {
        Requirements.requireTool("setpriv");
        Path jar = Files.createTempFile("gleaner-fatrace", ".jar");
        Path output = Path.of("/tmp", "gleaner-fatrace-nobody-" + ProcessHandle.current().pid() + ".log");
        try {
            // nobody cannot read the build tree under /root: give it a readable copy of the jar
            Files.copy(Requirements.repoRoot().resolve("agent/target/gleaner.jar"), jar,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(jar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Cmd.Result result = Cmd.run(LIMIT, List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    "env", "GLEANER_JAR=" + jar, "JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=/tmp", FatraceToolTest.fatrace(), "-s", "1",
                    "-o", output.toString()), null);
            assertFalse(Files.exists(output), "a failed start leaves no output file");
            assertEquals(1, result.exit(), result.stderr());
            String[] lines = result.stderr().lines().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).toArray(String[]::new);
            assertEquals(1, lines.length, result.stderr());
            assertTrue(lines[0].startsWith("fatrace: error: cannot watch /: operation not permitted: marking a filesystem"
                    + " or mount needs root"), lines[0]);
        } finally {
            Files.delete(jar);
            Files.deleteIfExists(output);
        }
    }

    @Test
    @Privileged("mounting a btrfs image needs root")
    void btrfsSubvolumeFallsBackToTheMountWithAWarning() throws Exception {
        try (BtrfsSubvolume btrfs = BtrfsSubvolume.create("fatrace-btrfs");
             Tracer tracer = Tracer.start(btrfs.subvolume(), FatraceToolTest.fatrace(), "-c", "-s", "3")) {
            Path sub = btrfs.subvolume();
            Cmd.run(LIMIT, "sh", "-c", "echo x > \"$1\"/on-subvolume && sleep 0.3 && true", "sh", sub.toString()).ok();
            assertEquals(0, tracer.await(LIMIT), tracer.stderr());
            assertEquals("fatrace: warning: cannot watch " + sub + ": it is on a btrfs subvolume whose fsid differs from"
                    + " its filesystem's, so the whole filesystem cannot be marked through it; watching"
                    + " its mount without create/delete/rename events instead\n", tracer.stderr());
            assertEquals(FatraceToolTest.chars("CWO"), FatraceToolTest.lettersByPath(tracer.lines(), sub).get("on-subvolume"),
                    tracer.lines().toString());
        }
    }

    @Test
    @Privileged("mounting a FUSE filesystem needs root")
    void fuseFallsBackToTheMountWithAWarning() throws Exception {
        Requirements.requireTool("bindfs");
        Path base = Files.createTempDirectory("gleaner-fuse-" + ProcessHandle.current().pid() + "-");
        Path source = Files.createDirectory(base.resolve("source"));
        Path fuse = Files.createDirectory(base.resolve("fuse"));
        Cmd.run(LIMIT, "bindfs", source.toString(), fuse.toString()).ok();
        try (Tracer tracer = Tracer.start(fuse, FatraceToolTest.fatrace(), "-c", "-s", "3")) {
            Cmd.run(LIMIT, "sh", "-c", "echo x > \"$1\"/through-fuse && sleep 0.3 && true", "sh", fuse.toString()).ok();
            assertEquals(0, tracer.await(LIMIT), tracer.stderr());
            assertEquals("fatrace: warning: cannot watch " + fuse + ": its filesystem (e.g. FUSE, proc) cannot report file"
                    + " handles; watching its mount without"
                    + " create/delete/rename events instead\n", tracer.stderr());
            assertEquals(FatraceToolTest.chars("CWO"), FatraceToolTest.lettersByPath(tracer.lines(), fuse).get("through-fuse"),
                    tracer.lines().toString());
        } finally {
            Cmd.run(LIMIT, "umount", fuse.toString());
            TempTrees.delete(base);
        }
    }
}
