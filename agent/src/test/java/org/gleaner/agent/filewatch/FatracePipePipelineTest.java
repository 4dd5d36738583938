package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.FanotifyQueue;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fatrace-pipe in the pipelines it is made for, and under a flood that overflows the kernel queue. */
@Privileged("fanotify filesystem marks need CAP_SYS_ADMIN")
class FatracePipePipelineTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path temp;
    /** A private filesystem for the watched trees: the filesystem mark sees only this test's activity. */
    private Tmpfs tmpfs;

    @BeforeEach
    void mount() {
        FanotifyQueue.requireUsableLimit();
        tmpfs = Tmpfs.mount("fatrace-pipe");
    }

    @AfterEach
    void unmount() {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + LIMIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** SIGSTOP takes effect on each thread asynchronously: wait until /proc says all are stopped (T). */
    private static boolean allThreadsStopped(long pid) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.allMatch(task -> {
                String stat = read(task.resolve("stat"));
                int afterName = stat.lastIndexOf(')');
                return afterName > 0 && stat.startsWith(" T", afterName + 1);
            });
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void xargsMakeRebuildsAfterASaveAndThePipelineEndsWhenTheReaderExits() throws Exception {
        Requirements.requireTool("make");
        Path project = tmpfs.path().toRealPath().resolve("project");
        Files.createDirectory(project);
        Files.writeString(project.resolve("Makefile"), "out.txt: src.txt\n\tcp src.txt out.txt\n");
        Files.writeString(project.resolve("src.txt"), "version 1\n");
        Cmd.run(LIMIT, "make", "-s", "-C", project.toString()).ok();
        Path stderr = temp.resolve("fatrace-pipe.err");
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder(PipeProcess.launcher().toString(), "--exclude", "out.txt", project.toString())
                        .redirectError(stderr.toFile()),
                new ProcessBuilder("xargs", "-I{}", "make", "-s", "-C", project.toString())
                        .redirectOutput(temp.resolve("xargs.out").toFile())
                        .redirectError(temp.resolve("xargs.err").toFile())));
        Process fatracePipe = pipeline.get(0);
        Process xargs = pipeline.get(1);
        try {
            await("fatrace-pipe ready", () -> read(stderr).contains("fatrace-pipe: watching "));
            Files.writeString(project.resolve("src.txt"), "version 2\n");
            await("out.txt rebuilt", () -> read(project.resolve("out.txt")).equals("version 2\n"));
            xargs.destroy();
            assertTrue(xargs.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(fatracePipe.waitFor(5, TimeUnit.SECONDS), "fatrace-pipe must exit once its reader is gone");
            assertEquals(0, fatracePipe.exitValue(), read(stderr));
        } finally {
            pipeline.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void aQueueOverflowPrintsTheRootAsRescanMarkerAndWarns() throws Exception {
        Path root = Files.createDirectory(tmpfs.path().toRealPath().resolve("flooded"));
        // The queue limit is read when a group is created. Instead of lowering this machine-wide sysctl
        // (which concurrent tests also read), fatrace-pipe is stopped while more events than the limit
        // are made: each new file is at least two (create, close_write), so the limit in files is ample.
        int queueLimit = FanotifyQueue.requireUsableLimit();
        try (PipeProcess pipe = PipeProcess.start('\n', root.toString())) {
            String pid = Long.toString(pipe.process.pid());
            Cmd.run(LIMIT, "kill", "-STOP", pid).ok();
            try {
                await("every thread of fatrace-pipe stopped", () -> allThreadsStopped(pipe.process.pid()));
                for (int i = 0; i < queueLimit; i++) {
                    Files.write(root.resolve("flood-" + i), new byte[0]);
                }
            } finally {
                Cmd.run(LIMIT, "kill", "-CONT", pid).ok();
            }
            assertEquals(root.toString(), pipe.next(LIMIT));
            pipe.awaitStderr("fatrace-pipe: warning: the event queue overflowed and changes were lost; reporting "
                    + root + " for a full rescan", LIMIT);
            Files.writeString(root.resolve("after"), "x");
            assertEquals(List.of(root.resolve("after").toString()), pipe.until(root.resolve("after").toString(), LIMIT));
        }
    }
}
