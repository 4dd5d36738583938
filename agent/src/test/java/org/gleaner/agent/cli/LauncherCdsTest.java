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

/** bin/launcher.sh's class-data sharing archive: made on first run, used after, replaced when the jar changes. */
class LauncherCdsTest {

    @Test
    void archiveFollowsTheJar(@TempDir Path dir) throws IOException {
        Path built = Requirements.repoRoot().resolve("agent/target/gleaner.jar");
        Requirements.require(Files.isReadable(built), "agent/target/gleaner.jar is not built");
        Path jar = dir.resolve("gleaner.jar");
        Files.copy(built, jar);
        List<String> withJar = List.of("env", "GLEANER_JAR=" + jar);
        String pid = Long.toString(ProcessHandle.current().pid());

        Cmd.Result first = PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        List<Path> archives = archives(dir);
        assertEquals(1, archives.size(), "the first run leaves an archive");
        Cmd.Result second = PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        assertEquals("", second.stderr(), "no JVM warning reaches the user");
        assertEquals(first.stdout().lines().count(), second.stdout().lines().count());
        assertEquals(archives, archives(dir), "the second run uses it");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        Cmd.Result rebuilt = PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        assertEquals("", rebuilt.stderr());
        List<Path> after = archives(dir);
        assertEquals(1, after.size(), "the stale archive is replaced, not kept: " + after);
        assertTrue(!after.equals(archives), "a changed jar gets a new archive");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        Cmd.Result usage = PsMemLauncher.runAs(withJar, "--bogus");
        assertEquals(2, usage.exit(), "exit status passes through the archiving run too");
        Cmd.Result off = PsMemLauncher.runAs(List.of("env", "GLEANER_JAR=" + jar, "GLEANER_CDS=0"), "--summary", "--pid", pid).ok();
        assertEquals("", off.stderr());
    }

    private static List<Path> archives(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".jsa")).sorted().toList();
        }
    }
}
