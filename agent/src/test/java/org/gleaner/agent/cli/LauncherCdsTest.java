package org.gleaner.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/launcher.sh's class-data sharing archive: dumped by the first run under its pid, put in place
 * and used by the next, replaced when the jar changes; every run execs the JVM under the launcher's pid.
 */
class LauncherCdsTest {

    @Test
    void archiveFollowsTheJar(@TempDir Path dir) throws IOException {
        Path jar = copyOfTheBuiltJar(dir);
        List<String> withJar = List.of("env", "GLEANER_JAR=" + jar);
        String pid = Long.toString(ProcessHandle.current().pid());

        Cmd.Result first = PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        assertEquals(List.of(), archives(dir), "the first run's dump is not in place yet");
        assertEquals(1, dumps(dir).size(), "the first run leaves a dump under its pid");
        Cmd.Result second = PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        assertEquals("", second.stderr(), "no JVM warning reaches the user");
        assertEquals(first.stdout().lines().count(), second.stdout().lines().count());
        List<Path> archives = archives(dir);
        assertEquals(1, archives.size(), "the second run puts the dump in place and uses it");
        assertEquals(List.of(), dumps(dir));
        PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        assertEquals(archives, archives(dir), "later runs keep using it");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        Cmd.Result rebuilt = PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        assertEquals("", rebuilt.stderr());
        assertEquals(List.of(), archives(dir), "the stale archive is removed, not kept");
        PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        List<Path> after = archives(dir);
        assertEquals(1, after.size(), after.toString());
        assertTrue(!after.equals(archives), "a changed jar gets a new archive");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        Cmd.Result usage = PsMemLauncher.runAs(withJar, "--bogus");
        assertEquals(2, usage.exit(), "exit status passes through the archiving run too");
        Cmd.Result off = PsMemLauncher.runAs(List.of("env", "GLEANER_JAR=" + jar, "GLEANER_CDS=0"), "--summary", "--pid", pid).ok();
        assertEquals("", off.stderr());
    }

    @Test
    void theToolRunsUnderTheLaunchersPidEvenWhileArchiving(@TempDir Path dir) throws Exception {
        Path jar = copyOfTheBuiltJar(dir);
        // ps-mem reading its own pid: the process it finds under that pid must be the JVM, not a shell
        for (int run = 0; run < 2; run++) {
            Cmd.Result result = Cmd.run(java.time.Duration.ofSeconds(60), "bash", "-c",
                    "GLEANER_JAR=\"$1\" exec \"$0\" --flat --pid $$", Requirements.repoRoot().resolve("bin/ps-mem").toString(), jar.toString()).ok();
            assertTrue(result.stdout().startsWith("java."), "run " + run + ": " + result.stdout().lines().findFirst());
        }
    }

    /** A private copy, so the archives this test makes and removes are its own. */
    private static Path copyOfTheBuiltJar(Path dir) throws IOException {
        Path built = Requirements.repoRoot().resolve("agent/target/gleaner.jar");
        Requirements.require(Files.isReadable(built), "agent/target/gleaner.jar is not built");
        return Files.copy(built, dir.resolve("gleaner.jar"));
    }

    private static List<Path> archives(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".jsa")).sorted().toList();
        }
    }

    private static List<Path> dumps(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().matches(".*\\.jsa\\.\\d+")).sorted().toList();
        }
    }
}
