package org.gleaner.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Launcher;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/launcher.sh's class-data sharing: the build's archive (scripts/cds-archive) serves every
 * launcher's classes, picocli's included, where it fits the jar and the JDK; without it, each tool's
 * own archive is dumped by a run that did its work, put in place and used by the next, replaced when
 * the jar changes; every run execs the JVM under the launcher's pid.
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
            Cmd.Result result = Cmd.run(Duration.ofSeconds(60), "bash", "-c",
                    "GLEANER_JAR=\"$1\" exec \"$0\" --flat --pid $$", Requirements.repoRoot().resolve("bin/ps-mem").toString(), jar.toString()).ok();
            assertTrue(result.stdout().startsWith("java."), "run " + run + ": " + result.stdout().lines().findFirst());
        }
    }

    @Test
    void everyLauncherMapsTheBuildsArchive(@TempDir Path dir) throws IOException {
        Path target = Requirements.repoRoot().resolve("agent/target");
        Requirements.require(Files.isReadable(target.resolve("gleaner.jsa")) && Files.isReadable(target.resolve("gleaner.jsa.for")),
                "agent/target/gleaner.jsa is not built (mvn package makes it)");
        List<Path> ownArchivesBefore = ownArchives(target);
        String pid = Long.toString(ProcessHandle.current().pid());
        List<String> launchers;
        try (Stream<Path> files = Files.list(Requirements.repoRoot().resolve("bin"))) {
            launchers = files.filter(Files::isExecutable).map(file -> file.getFileName().toString()).sorted().toList();
        }
        assertTrue(launchers.containsAll(List.of("ps-mem", "fatrace", "fatrace-pipe", "gleaner")), launchers.toString());
        for (String launcher : launchers) {
            List<String> args = launcher.equals("gleaner") ? List.of("agent", "--help") : List.of("--help");
            assertAllFromTheArchive(dir, launcher, args, "picocli.CommandLine");
        }
        assertAllFromTheArchive(dir, "ps-mem", List.of("--summary", "--pid", pid), "org.gleaner.collectors.smaps.SmapsParser");
        assertEquals(ownArchivesBefore, ownArchives(target), "no tool made an archive of its own");
    }

    @Test
    void aFailedFirstRunDoesNotDecideTheToolsOwnArchive(@TempDir Path dir) throws IOException {
        Path jar = copyOfTheBuiltJar(dir);
        List<String> withJar = List.of("env", "GLEANER_JAR=" + jar);
        String pid = Long.toString(ProcessHandle.current().pid());

        assertEquals(2, PsMemLauncher.runAs(withJar, "--bogus").exit());
        assertEquals(0, PsMemLauncher.runAs(withJar, "--help").exit());
        PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        assertEquals(List.of(), archives(dir), "neither the usage error's nor --help's dump was put in place");
        PsMemLauncher.runAs(withJar, "--summary", "--pid", pid).ok();
        assertEquals(1, archives(dir).size(), "the dump of the run that did its work is in place");
        Path log = dir.resolve("classes.log");
        PsMemLauncher.runAs(List.of("env", "GLEANER_JAR=" + jar, "GLEANER_JAVA_OPTS=-Xlog:class+load:file=" + log),
                "--summary", "--pid", pid).ok();
        assertTrue(Files.readAllLines(log).stream().anyMatch(line ->
                line.contains(" org.gleaner.collectors.smaps.SmapsParser source: shared objects file")),
                "the archive holds the classes of the scan");
    }

    @Test
    void anArchiveMadeForAnotherJarPathIsLeftAloneUntilRemadeFromTheClassList(@TempDir Path dir) throws IOException {
        Path target = Requirements.repoRoot().resolve("agent/target");
        Requirements.require(Files.isReadable(target.resolve("gleaner.jsa")) && Files.isReadable(target.resolve("gleaner.classlist")),
                "agent/target/gleaner.jsa is not built");
        Path jar = Files.copy(target.resolve("gleaner.jar"), dir.resolve("gleaner.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String file : List.of("gleaner.jsa", "gleaner.jsa.for", "gleaner.classlist")) {
            Files.copy(target.resolve(file), dir.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path log = dir.resolve("classes.log");
        List<String> withJarAndLog = List.of("env", "GLEANER_JAR=" + jar, "GLEANER_JAVA_OPTS=-Xlog:class+load:file=" + log);
        String pid = Long.toString(ProcessHandle.current().pid());
        // the JVM would refuse it and run with no class-data sharing at all: the tool's own archive is used instead
        PsMemLauncher.runAs(withJarAndLog, "--summary", "--pid", pid).ok();
        assertEquals(1, dumps(dir).size(), "the run dumped the tool's own archive");
        assertTrue(Files.readAllLines(log).stream().anyMatch(line -> line.contains(" java.lang.Object source: shared objects file")),
                "the JDK's own archive was still mapped");

        Cmd.Result remade = Cmd.run(Duration.ofSeconds(120), Requirements.repoRoot().resolve("scripts/cds-archive").toString(),
                "--classlist", dir.resolve("gleaner.classlist").toString(), jar.toString()).ok();
        assertTrue(remade.stdout().startsWith("cds-archive: " + dir.resolve("gleaner.jsa")), remade.stdout());
        PsMemLauncher.runAs(withJarAndLog, "--summary", "--pid", pid).ok();
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.stream().anyMatch(line -> line.contains(" org.gleaner.collectors.smaps.SmapsParser source: shared objects file")),
                "the archive made for this path is used");
        assertEquals(List.of(), lines.stream().filter(line -> line.contains("source: file:")).toList());
    }

    /** Runs LAUNCHER ARGS and checks that gleaner's and picocli's classes all came from the class-data archive. */
    private static void assertAllFromTheArchive(Path dir, String launcher, List<String> args, String expected) throws IOException {
        Path log = dir.resolve(launcher + ".log");
        Cmd.Result result = Launcher.runAs(List.of("env", "GLEANER_JAVA_OPTS=-Xlog:class+load:file=" + log),
                launcher, Duration.ofSeconds(60), args).ok();
        assertEquals("", result.stderr(), launcher + " " + args);
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.stream().anyMatch(line -> line.contains(" " + expected + " source: shared objects file")),
                launcher + " " + args + ": " + expected + " was not mapped from the archive");
        List<String> fromTheJar = lines.stream().filter(line -> line.contains("source: file:")).toList();
        assertEquals(List.of(), fromTheJar, launcher + " " + args + ": classes read from the jar");
    }

    private static List<Path> ownArchives(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().startsWith(".gleaner-")).sorted().toList();
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
