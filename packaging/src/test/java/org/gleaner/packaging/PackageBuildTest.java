package org.gleaner.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;

/** What packaging/build makes, checked without booting anything: lintian, reproducibility, the files. */
class PackageBuildTest {
    static final Duration LIMIT = Duration.ofMinutes(3);

    @Test
    void theReadmesInstallRecipesAreTheOnesTheEndToEndTestsRun() throws Exception {
        for (String readme : List.of("README.md", "packaging/README.md")) {
            List<String> lines = Files.readAllLines(Packages.REPO.resolve(readme)).stream().map(String::strip).toList();
            assertTrue(lines.contains(DebPackageTest.README_INSTALL), readme);
            assertTrue(lines.contains(SysextTest.README_MERGE), readme);
            assertTrue(lines.contains(SysextTest.README_START), readme);
        }
        List<String> lines = Files.readAllLines(Packages.REPO.resolve("packaging/README.md")).stream().map(String::strip).toList();
        assertTrue(lines.contains(SysextTest.README_ENABLE));
    }

    @Test
    void lintianFindsNoErrorAndEveryWarningIsExplained() throws Exception {
        Path lintian = Requirements.requireTool("lintian");
        Packages packages = Packages.built();
        Cmd.Result result = Cmd.run(LIMIT, lintian.toString(), "--fail-on", "error", packages.deb.toString());
        assertEquals(0, result.exit(), result.stdout() + result.stderr());
        String readme = Files.readString(Packages.REPO.resolve("packaging/README.md"));
        for (String line : result.stdout().lines().filter(line -> line.startsWith("W: ")).toList()) {
            String tag = line.split("\\s+")[2];
            assertTrue(readme.contains("`" + tag + "`"), "packaging/README.md does not explain " + line);
        }
    }

    @Test
    void twoBuildsMakeTheSameDeb() throws Exception {
        Packages first = Packages.built();
        Path second = Packages.debOnly(Packages.temporaryDirectory("gleaner-dist-again-"));
        assertEquals(-1L, Files.mismatch(first.deb, second), first.deb + " and " + second + " differ");
    }

    @Test
    void everyProgramHasAManPageAndACompletionAndNoneIsCalledFatrace() throws Exception {
        Packages packages = Packages.built();
        Path usr = packages.sysextDir.resolve("usr");
        Set<String> programs;
        try (var files = Files.list(usr.resolve("bin"))) {
            programs = files.map(file -> file.getFileName().toString()).collect(Collectors.toSet());
        }
        assertTrue(programs.containsAll(List.of("gleaner", "ps-mem", "fatrace-pipe", "gleaner-fatrace", "bitrot-scrub")),
                programs.toString());
        assertTrue(!programs.contains("fatrace"), "Debian's fatrace package owns that name");
        for (String program : programs) {
            assertTrue(Files.isRegularFile(usr.resolve("share/man/man1/" + program + ".1.gz")), program + ".1");
            assertTrue(Files.isRegularFile(usr.resolve("share/bash-completion/completions/" + program)), program + " completion");
        }
        for (String subcommand : List.of("agent", "ps-mem", "fatrace", "fatrace-pipe")) {
            assertTrue(Files.isRegularFile(usr.resolve("share/man/man1/gleaner-" + subcommand + ".1.gz")), subcommand);
        }
        String page = Cmd.run(LIMIT, "sh", "-c", "man --warnings -l " + usr.resolve("share/man/man1/gleaner-agent.1.gz") + " 2>&1 >/dev/null").ok().stdout();
        assertEquals("", page, "man reports no formatting problem");
        // bash completes gleaner's subcommands from the installed script
        String completed = Cmd.run(LIMIT, "bash", "-c", "source " + usr.resolve("share/bash-completion/completions/gleaner")
                + "; COMP_WORDS=(gleaner ''); COMP_CWORD=1; COMP_LINE='gleaner '; COMP_POINT=8; _complete_gleaner; echo ${COMPREPLY[@]}")
                .ok().stdout();
        assertTrue(List.of(completed.strip().split(" ")).containsAll(List.of("agent", "ps-mem", "fatrace", "fatrace-pipe")), completed);
    }

    @Test
    void theDebDependsOnAHeadlessJavaAndKeepsTheConfigAsConffile() throws Exception {
        Packages packages = Packages.built();
        String control = Cmd.run(LIMIT, "dpkg-deb", "-f", packages.deb.toString(), "Depends").ok().stdout();
        assertTrue(control.contains("default-jre-headless (>= 2:1.17) | java17-runtime-headless"), control);
        String conffiles = Cmd.run(LIMIT, "sh", "-c", "dpkg-deb --ctrl-tarfile " + packages.deb + " | tar -xOf - ./conffiles").ok().stdout();
        assertEquals("/etc/gleaner/gleaner.yaml\n", conffiles);
    }
}
