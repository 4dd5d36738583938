package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

/** bin/fatrace-pipe against real file activity: exactly the expected lines, nothing from outside. */
@Privileged("fanotify filesystem marks need CAP_SYS_ADMIN")
class FatracePipeTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    /** A private filesystem: the filesystem mark sees only this test's activity, never the machine's. */
    private Tmpfs tmpfs;
    private Path temp;
    private Path root;
    private Path sibling;

    @BeforeEach
    void makeTrees() throws Exception {
        FanotifyQueue.requireUsableLimit();
        tmpfs = Tmpfs.mount("fatrace-pipe");
        temp = tmpfs.path().toRealPath();
        root = Files.createDirectory(temp.resolve("project"));
        sibling = Files.createDirectory(temp.resolve("project2"));
    }

    @AfterEach
    void unmount() {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    /** A write after everything else, so that the lines before it are known to be complete. */
    private String endMarker() throws Exception {
        Path end = root.resolve("zz-end");
        Files.writeString(end, "end");
        return end.toString();
    }

    private String at(String relative) {
        return root.resolve(relative).toString();
    }

    @Test
    void writesCreatesAndRenamesUnderTheTreeAreReportedExactlyAndNothingElse() throws Exception {
        Path existing = Files.writeString(root.resolve("existing.c"), "old");
        Path toDelete = Files.writeString(root.resolve("doomed.c"), "x");
        Path toRename = Files.writeString(root.resolve("before.c"), "x");
        Path outsider = Files.writeString(temp.resolve("incoming.c"), "x");
        Files.createDirectory(root.resolve("sub dir"));
        try (PipeProcess pipe = PipeProcess.start('\n', root.toString())) {
            Files.writeString(existing, "new");
            Files.writeString(root.resolve("sub dir/new file.c"), "x");
            Files.move(toRename, root.resolve("after.c"));
            Files.move(outsider, root.resolve("moved in.c"));
            Files.delete(toDelete);
            Files.writeString(sibling.resolve("same-prefix.c"), "x");
            Files.writeString(temp.resolve("outside.c"), "x");
            Files.readString(existing);
            assertEquals(List.of(existing.toString(), at("sub dir/new file.c"), at("after.c"), at("moved in.c"),
                    endMarker()), pipe.until(at("zz-end"), LIMIT));
            assertNull(pipe.next(Duration.ofMillis(300)), "nothing after the end marker");
        }
    }

    @Test
    void eventsAlsoReportsDeletesAndMovesOut() throws Exception {
        Path toDelete = Files.writeString(root.resolve("doomed.c"), "x");
        Path leaving = Files.writeString(root.resolve("leaving.c"), "x");
        try (PipeProcess pipe = PipeProcess.start('\n', "--events", root.toString())) {
            Files.delete(toDelete);
            Files.move(leaving, sibling.resolve("left.c"));
            assertEquals(List.of(toDelete.toString(), leaving.toString(), endMarker()), pipe.until(at("zz-end"), LIMIT));
        }
    }

    @Test
    void anAtomicSavePrintsTheTargetOnceAndNeverTheTempFile() throws Exception {
        Path target = Files.writeString(root.resolve("main.c"), "int x;");
        try (PipeProcess pipe = PipeProcess.start('\n', root.toString())) {
            Path tempFile = root.resolve(".main.c.XXXX12");
            Files.writeString(tempFile, "int y;");
            Files.move(tempFile, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertEquals(List.of(target.toString()), List.of(pipe.next(LIMIT)));
            assertEquals(List.of(endMarker()), pipe.until(at("zz-end"), LIMIT));
            // sed -i writes a temp file (sedXXXXXX) next to the file and renames it over the file.
            Cmd.run(LIMIT, "sed", "-i", "s/y/z/", target.toString()).ok();
            assertEquals(List.of(target.toString()), List.of(pipe.next(LIMIT)));
            assertNull(pipe.next(Duration.ofMillis(400)));
        }
    }

    @Test
    void aVimSaveIsOneLine() throws Exception {
        String vim = Requirements.requireTool("vim").toString();
        Path source = Files.writeString(root.resolve("main.c"), "int x;\n");
        try (PipeProcess pipe = PipeProcess.start('\n', root.toString())) {
            // Swap file, write probe, backup: none of it may show, and the file only once.
            Cmd.run(LIMIT, List.of(vim, "-u", "NONE", "-i", "NONE", "-N", "-es", "-c", "set backup writebackup",
                    "-c", "normal! Goint y;", "-c", "wq", source.toString()), "").ok();
            assertEquals(List.of(source.toString(), endMarker()), pipe.until(at("zz-end"), LIMIT));
        }
        assertEquals("int x;\nint y;\n", Files.readString(source));
    }

    @Test
    void aBurstOfSavesToOneFileIsOneLine() throws Exception {
        Path target = root.resolve("busy.c");
        try (PipeProcess pipe = PipeProcess.start('\n', "--debounce", "300", root.toString())) {
            for (int i = 0; i < 10; i++) {
                Files.writeString(target, "version " + i);
            }
            assertEquals(target.toString(), pipe.next(LIMIT));
            assertNull(pipe.next(Duration.ofMillis(600)));
        }
    }

    @Test
    void excludesDropMatchingPathsByComponentDirectoryAndAnchoredPattern() throws Exception {
        for (String dir : List.of(".git", "build", "sub/build", "docs/gen")) {
            Files.createDirectories(root.resolve(dir));
        }
        try (PipeProcess pipe = PipeProcess.start('\n', "--exclude", "*.o", "--exclude", "build/",
                "--exclude", "docs/gen", root.toString())) {
            for (String excluded : List.of(".git/index", "x.o", "build/y", "sub/build/z", "docs/gen/a.html",
                    ".main.c.swp", "main.c~", "4913")) {
                Files.writeString(root.resolve(excluded), "x");
            }
            Files.writeString(root.resolve("docs/kept.md"), "x");
            assertEquals(List.of(at("docs/kept.md"), endMarker()), pipe.until(at("zz-end"), LIMIT));
        }
        try (PipeProcess pipe = PipeProcess.start('\n', "--no-default-excludes", root.toString())) {
            Files.writeString(root.resolve(".git/index"), "y");
            assertEquals(List.of(at(".git/index"), endMarker()), pipe.until(at("zz-end"), LIMIT));
        }
    }

    @Test
    void nulSeparatedOutputCarriesNamesWithNewlines() throws Exception {
        try (PipeProcess pipe = PipeProcess.start('\0', "-0", root.toString())) {
            Files.writeString(root.resolve("two\nlines"), "x");
            assertEquals(List.of(at("two\nlines"), endMarker()), pipe.until(at("zz-end"), LIMIT));
        }
    }

    @Test
    void nonAsciiNamesArePrintedAsTheyAreEvenUnderThePosixLocale() throws Exception {
        List<String> command = List.of("env", "-u", "LANG", "-u", "LC_ALL", "-u", "LC_CTYPE",
                PipeProcess.launcher().toString(), root.toString());
        try (PipeProcess pipe = PipeProcess.start('\n', command)) {
            // Made by the shell from octal UTF-8 bytes: this JVM itself may run under any locale.
            Cmd.run(LIMIT, "sh", "-c", "cd '" + root + "' && printf x > \"$(printf 'r\\303\\251sum\\303\\251 "
                    + "\\346\\227\\245\\346\\234\\254.c')\"").ok();
            assertEquals(List.of(at("r\u00e9sum\u00e9 \u65e5\u672c.c"), endMarker()), pipe.until(at("zz-end"), LIMIT));
        }
    }

    @Test
    void commandKeepsOnlyChangesMadeByThatProgram() throws Exception {
        // The writers stay alive for a moment (": " keeps the shell from exec-ing sleep): a process that
        // exited before its event is read has no name.
        try (PipeProcess pipe = PipeProcess.start('\n', "--command", "bash", root.toString())) {
            Process bySh = new ProcessBuilder("sh", "-c", "echo x > by-sh; sleep 1; :").directory(root.toFile()).start();
            Process byBash = new ProcessBuilder("bash", "-c", "echo x > by-bash; sleep 1; :").directory(root.toFile()).start();
            assertTrue(bySh.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS) && byBash.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS));
            Cmd.run(LIMIT, "bash", "-c", "echo x > '" + root.resolve("zz-end") + "'; sleep 0.5; :").ok();
            assertEquals(List.of(at("by-bash"), at("zz-end")), pipe.until(at("zz-end"), LIMIT));
        }
    }

    @Test
    void sigintExits130AndSigtermRemovesTheFifo() throws Exception {
        try (PipeProcess pipe = PipeProcess.start('\n', root.toString())) {
            Cmd.run(LIMIT, "kill", "-INT", Long.toString(pipe.process.pid())).ok();
            assertTrue(pipe.process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(130, pipe.process.exitValue());
        }
        Path fifo = temp.resolve("changes.fifo");
        try (PipeProcess pipe = PipeProcess.start('\n', "--fifo", fifo.toString(), "--group", "nogroup",
                root.toString())) {
            assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(fifo, LinkOption.NOFOLLOW_LINKS)));
            assertEquals(65534, Files.getAttribute(fifo, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            Files.writeString(root.resolve("a.c"), "x");
            try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(Files.newInputStream(fifo),
                    StandardCharsets.UTF_8))) {
                assertEquals(at("a.c"), reader.readLine());
            }
            // The recipe's other half: a normal user in the group reads the next change.
            Files.writeString(root.resolve("b.c"), "x");
            Cmd.Result asNobody = Cmd.run(LIMIT, "runuser", "-u", "nobody", "-g", "nogroup", "--", "head", "-n1",
                    fifo.toString());
            assertEquals(at("b.c") + "\n", asNobody.ok().stdout());
            Cmd.run(LIMIT, "kill", "-TERM", Long.toString(pipe.process.pid())).ok();
            assertTrue(pipe.process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(143, pipe.process.exitValue());
        }
        assertFalse(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS), "the FIFO is removed on exit");
    }

    @Test
    void aPrePlantedSymlinkOrFileAtTheFifoPathIsRefused() throws Exception {
        Path victim = Files.writeString(temp.resolve("victim"), "precious");
        Path link = Files.createSymbolicLink(temp.resolve("fatrace.fifo"), victim);
        Cmd.Result symlink = Cmd.run(Duration.ofSeconds(30), PipeProcess.launcher().toString(), "--fifo", link.toString(),
                root.toString());
        assertEquals(1, symlink.exit());
        assertEquals("fatrace-pipe: error: " + link + ": is a symlink, refusing to use it as the FIFO\n", symlink.stderr());
        assertEquals("precious", Files.readString(victim));
        Cmd.Result file = Cmd.run(Duration.ofSeconds(30), PipeProcess.launcher().toString(), "--fifo", victim.toString(),
                root.toString());
        assertEquals(1, file.exit());
        assertEquals("fatrace-pipe: error: " + victim + ": exists and is not a FIFO, refusing to use it\n", file.stderr());
    }

    @Test
    void badArgumentsAreOneLineErrors() throws Exception {
        Path file = Files.writeString(temp.resolve("file"), "x");
        String launcher = PipeProcess.launcher().toString();
        Duration limit = Duration.ofSeconds(30);
        Cmd.Result missing = Cmd.run(limit, launcher, temp.resolve("nope").toString());
        assertEquals(2, missing.exit());
        assertEquals("fatrace-pipe: " + temp.resolve("nope") + ": no such file or directory\n", missing.stderr());
        Cmd.Result notDir = Cmd.run(limit, launcher, file.toString());
        assertEquals(2, notDir.exit());
        assertEquals("fatrace-pipe: " + file + ": not a directory\n", notDir.stderr());
        for (List<String> bad : List.of(List.of("--group", "adm"), List.of("--debounce", "-1"),
                List.of("--debounce", "99999999999"), List.of("--cooldown", "soon"), List.of("--fifo", "/tmp/x", "--exec", "true"),
                List.of("--exclude", "a{b"), List.of("--fifo", temp.resolve("f").toString(), "--group", "no-such-group-" + ProcessHandle.current().pid()))) {
            List<String> command = new java.util.ArrayList<>(List.of(launcher));
            command.addAll(bad);
            command.add(root.toString());
            Cmd.Result result = Cmd.run(limit, command, null);
            assertEquals(2, result.exit(), bad + ": " + result.stderr());
            assertEquals(1, result.stderr().lines().count(), bad + ": " + result.stderr());
            assertTrue(result.stderr().startsWith("fatrace-pipe: "), result.stderr());
        }
        assertFalse(Files.exists(temp.resolve("f"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void execRunsTheCommandPerBatchWithThePathsOnItsInputNeverTwoAtOnce() throws Exception {
        Path log = temp.resolve("exec.log");
        String script = "echo start $(date +%s%N) >> '" + log + "'; sed 's/^/path /' >> '" + log + "'; sleep 0.3;"
                + " echo end $(date +%s%N) >> '" + log + "'";
        try (PipeProcess pipe = PipeProcess.start('\n', "--debounce", "50", "--cooldown", "200", root.toString(),
                "--exec", "sh", "-c", script)) {
            for (int i = 0; i < 8; i++) {
                Files.writeString(root.resolve("f" + i), "x");
                Thread.sleep(100);
            }
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (!(Files.exists(log) && Files.readString(log).contains("path " + at("f7") + "\n")
                    && Files.readString(log).endsWith("\n") && lastLineIsEnd(log)) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        List<String> lines = Files.readAllLines(log);
        List<String> paths = lines.stream().filter(line -> line.startsWith("path ")).map(line -> line.substring(5)).toList();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7).stream().map(i -> at("f" + i)).toList(), paths);
        long previousEnd = 0;
        int runs = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("start ")) {
                long start = Long.parseLong(lines.get(i).substring(6));
                assertTrue(start - previousEnd >= TimeUnit.MILLISECONDS.toNanos(200), "cooldown before run " + runs);
                int end = i + 1;
                while (!lines.get(end).startsWith("end ")) {
                    assertFalse(lines.get(end).startsWith("start "), "overlapping runs: " + lines);
                    end++;
                }
                previousEnd = Long.parseLong(lines.get(end).substring(4));
                runs++;
            }
        }
        assertTrue(runs >= 2 && runs < 8, "changes during a run wait for the next: " + runs + " runs");
    }

    private static boolean lastLineIsEnd(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return !lines.isEmpty() && lines.get(lines.size() - 1).startsWith("end ");
    }

    @Test
    void theGleanerSubcommandIsTheSameTool() throws Exception {
        Cmd.Result help = Cmd.run(Duration.ofSeconds(30), Requirements.repoRoot().resolve("bin/gleaner").toString(),
                "fatrace-pipe", "--help").ok();
        assertTrue(help.stdout().startsWith("Usage: gleaner fatrace-pipe "), help.stdout());
    }

    private static void requireNobodyCanRunTheLauncher() {
        Path jar = Requirements.repoRoot().resolve("agent/target/gleaner.jar");
        Requirements.require(Cmd.run(LIMIT, "runuser", "-u", "nobody", "--", "test", "-r", jar.toString()).exit() == 0,
                "the checkout must be readable by user nobody to run fatrace-pipe as a normal user");
    }

    @Test
    void aPathTheUserCannotReachSaysPermissionDenied() throws Exception {
        requireNobodyCanRunTheLauncher();
        Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Cmd.Result denied = Cmd.run(Duration.ofSeconds(30), "runuser", "-u", "nobody", "--",
                PipeProcess.launcher().toString(), root.toString());
        assertEquals(2, denied.exit());
        assertEquals("fatrace-pipe: " + root + ": permission denied\n", denied.stderr());
    }

    @Test
    void withoutRootItWatchesTheTreeWithInodeMarks() throws Exception {
        requireNobodyCanRunTheLauncher();
        Cmd.run(LIMIT, "chown", "-R", "nobody", root.toString()).ok();
        Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        List<String> command = List.of("runuser", "-u", "nobody", "--", PipeProcess.launcher().toString(), root.toString());
        try (PipeProcess pipe = PipeProcess.start('\n', command)) {
            assertTrue(pipe.stderr().contains("(unprivileged"), pipe.stderr());
            Files.createDirectory(root.resolve("new-dir"));
            Thread.sleep(200);
            Files.writeString(root.resolve("new-dir/inside.c"), "x");
            Files.writeString(sibling.resolve("outside.c"), "x");
            assertEquals(List.of(at("new-dir/inside.c"), endMarker()), pipe.until(at("zz-end"), LIMIT));
        }
    }
}
