package org.gleaner.agent.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gleaner.agent.bitrot.BitrotScrubDocsTest;
import org.gleaner.testkit.CapturedProcess;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.TempTrees;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every command line the README and docs/*.md give a user is run here exactly as written (through
 * bash, with bin/ on PATH and a HOME of its own), and what it does is checked. A recipe added to the
 * docs without a scenario here fails {@link #everyRecipeIsRunHere}; bitrot-scrub's recipes are run
 * by {@link BitrotScrubDocsTest}.
 */
class DocumentedRecipesTest {
    static final Duration LIMIT = Duration.ofSeconds(90);
    static final Pattern GRAPHITE_LINE = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+ -?[0-9][0-9.E-]* [0-9]{10}");

    interface Scenario {
        void run(String recipe, Path home) throws Exception;
    }

    /** Shown in the docs but not run, each with the reason. */
    static final Map<String, String> NOT_RUN = Map.ofEntries(
            Map.entry("gleaner agent", "names the subcommand"),
            Map.entry("gleaner peers", "names the subcommand"),
            Map.entry("ps-mem --pid", "names the option"),
            Map.entry("bin/gleaner agent -i 1s --collectors system",
                    "names the agent bench/fleet-replay.sh starts on a spool it filled, and measures while it replays"),
            Map.entry("/usr/share/gleaner/bin/cds-archive --classlist /usr/share/gleaner/gleaner.classlist /usr/share/gleaner/gleaner.jar /var/cache/gleaner/gleaner.jsa",
                    "the package's postinst runs it in the installed layout (DebPackageTest checks the archive it makes)"),
            Map.entry("gleaner peers -i 1s -n 5 --by prefix/24     # rates every second, the 5 busiest /24 (IPv6: /64)",
                    "not yet given a scenario"),
            Map.entry("gleaner peers -i 2s --once                  # wait 2 s, print the totals over them, exit",
                    "not yet given a scenario"),
            Map.entry("bin/gleaner agent", "names the command"),
            Map.entry("gleaner fatrace", "names the subcommand"),
            Map.entry("sudo scripts/test", "the test suite itself"),
            Map.entry("fatrace-pipe --fifo /run/user/1000/project.fifo --group alice ~alice/project",
                    "needs a user named alice; the FIFO hand-off is tested in FatracePipeTest"),
            Map.entry("xargs -I{} make -C ~/project < /run/user/1000/project.fifo",
                    "needs a user named alice; the FIFO hand-off is tested in FatracePipeTest"));

    static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("fatrace-pipe ~/project --exec make -C ~/project", DocumentedRecipesTest::rebuildsOncePerSave);
        SCENARIOS.put("fatrace-pipe ~/project | xargs -I{} make -C ~/project", DocumentedRecipesTest::rebuildsOncePerSave);
        SCENARIOS.put("./run -i 1s --cycles 2", (recipe, home) -> printsOnlyDatapoints(recipe, home, ""));
        SCENARIOS.put("./run", DocumentedRecipesTest::printsDatapointsUntilInterrupted);
        SCENARIOS.put("bin/gleaner agent --cycles 2 -i 1s", (recipe, home) -> printsOnlyDatapoints(recipe, home, ".system."));
        SCENARIOS.put("gleaner agent --stdout --cycles 2 -i 1s --collectors cgroup",
                (recipe, home) -> printsOnlyDatapoints(recipe, home, ".cgroup."));
        SCENARIOS.put("gleaner agent --stdout --cycles 2 --collectors memory -i 2s",
                (recipe, home) -> printsOnlyDatapoints(recipe, home, ".memory."));
        SCENARIOS.put("bin/gleaner agent --stdout --cycles 2 -i 1s --collectors syscallio", (recipe, home) -> {
            Requirements.require(Requirements.isRoot(), "the syscallio collector needs root");
            printsOnlyDatapoints(recipe, home, ".syscallio.");
        });
        SCENARIOS.put("fatrace -c -t", DocumentedRecipesTest::fatraceShowsTimestampedEventsOfTheCurrentFilesystem);
        SCENARIOS.put("fatrace | head", DocumentedRecipesTest::fatraceEndsWithItsReader);
        SCENARIOS.put("ps-mem --flat --swap -n 500", (recipe, home) -> {
            Result result = Result.of(recipe, home);
            assertEquals(0, result.exit, result.toString());
            assertTrue(result.stdout.lines().allMatch(line -> line.matches(".+: .+")), result.stdout);
        });
        SCENARIOS.put("ps-mem agetty", DocumentedRecipesTest::psMemShowsAProcessByName);
        for (String help : List.of("bin/fatrace --help", "bin/fatrace-pipe --help", "bin/gleaner agent --help", "bin/bitrot-scrub --help",
                "fatrace --help", "gleaner agent --help", "bitrot-scrub --help")) {
            SCENARIOS.put(help, (recipe, home) -> {
                Result result = Result.of(recipe, home);
                assertEquals(0, result.exit, result.toString());
                assertTrue(result.stdout.startsWith("Usage: "), result.stdout);
                assertEquals("", result.stderr, recipe);
            });
        }
        SCENARIOS.put("bin/ps-mem --summary", (recipe, home) -> {
            Result result = Result.of(recipe, home);
            assertEquals(0, result.exit, result.toString());
            assertTrue(result.stdout.contains("Program"), result.stdout);
        });
        SCENARIOS.put("bin/ps-mem --pid 1", (recipe, home) -> {
            Result result = Result.of(recipe, home);
            // pid 1 of a container may belong to a namespace even root cannot read: then it says so and exits 1
            boolean unreadable = result.stderr.contains("could not read 1 process");
            assertEquals(unreadable ? 1 : 0, result.exit, result.toString());
            assertTrue(unreadable || result.stdout.contains("1:"), result.stdout);
        });
    }

    @Test
    void everyRecipeIsRunHere() throws Exception {
        List<String> elsewhere = BitrotScrubDocsTest.recipes();
        List<String> unrun = Recipes.in(Requirements.repoRoot()).stream()
                .filter(recipe -> !SCENARIOS.containsKey(recipe.command()) && !NOT_RUN.containsKey(recipe.command())
                        && !elsewhere.contains(recipe.command()))
                .map(recipe -> recipe.where() + ": `" + recipe.command() + "`").toList();
        assertEquals(List.of(), unrun, "recipes run by no test: add a scenario to DocumentedRecipesTest");
    }

    @TestFactory
    Stream<DynamicTest> recipesDoWhatTheDocsSay() throws IOException {
        return Recipes.in(Requirements.repoRoot()).stream()
                .filter(recipe -> SCENARIOS.containsKey(recipe.command()))
                .map(Recipes.Recipe::command).distinct()
                .map(recipe -> DynamicTest.dynamicTest(recipe, () -> {
                    Requirements.require(Files.isReadable(Requirements.repoRoot().resolve("agent/target/gleaner.jar")),
                            "the shaded jar is built (mvn package -DskipTests)");
                    Path home = Files.createTempDirectory(Requirements.repoRoot().resolve("agent/target"), "recipe-home-");
                    try {
                        SCENARIOS.get(recipe).run(recipe, home);
                    } finally {
                        TempTrees.delete(home);
                    }
                }));
    }

    /** An editor's atomic save (write a temp file, rename it over the source) rebuilds the project, once. */
    static void rebuildsOncePerSave(String recipe, Path home) throws Exception {
        Requirements.requireTool("make");
        Path project = Files.createDirectory(home.resolve("project"));
        Files.writeString(project.resolve("Makefile"), "out.txt: main.c\n\tcp main.c out.txt\n\techo built >> builds.log\n");
        Files.writeString(project.resolve("main.c"), "int main(void) { return 0; }\n");
        assertEquals(0, new ProcessBuilder("make", "-s", "-C", project.toString()).start().waitFor());
        try (Running running = Running.start(recipe, home)) {
            running.await(() -> running.stderr().contains("watching"), "the watch to start");
            Path temp = project.resolve(".main.c.swp-tmp");
            Files.writeString(temp, "int main(void) { return 1; }\n");
            Files.move(temp, project.resolve("main.c"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            running.await(() -> read(project.resolve("out.txt")).contains("return 1"), "make to rebuild out.txt");
            Thread.sleep(1500); // the rebuild's own writes form a batch of their own: make then has nothing to do
            assertEquals(List.of("built", "built"), Files.readAllLines(project.resolve("builds.log")),
                    "one build before the watch, one for the save");
            assertTrue(running.process().isAlive(), running.stderr());
        }
    }

    static void printsOnlyDatapoints(String recipe, Path home, String expected) throws Exception {
        Result result = Result.of(recipe, home);
        assertEquals(0, result.exit, result.toString());
        assertFalse(result.stdout.isEmpty(), result.toString());
        for (String line : result.stdout.lines().toList()) {
            assertTrue(GRAPHITE_LINE.matcher(line).matches(), "not a datapoint on stdout: " + line);
        }
        assertTrue(result.stdout.contains(expected), result.stdout);
    }

    static void printsDatapointsUntilInterrupted(String recipe, Path home) throws Exception {
        try (Running running = Running.start(recipe, home)) {
            running.await(() -> running.stdout().lines().count() > 10, "datapoints on stdout");
            running.signal("INT");
            assertEquals(0, running.exitWithin(LIMIT), running.stderr());
            for (String line : running.stdout().lines().toList()) {
                assertTrue(GRAPHITE_LINE.matcher(line).matches(), "not a datapoint on stdout: " + line);
            }
        }
    }

    static void fatraceShowsTimestampedEventsOfTheCurrentFilesystem(String recipe, Path home) throws Exception {
        Requirements.require(Requirements.isRoot(), "fatrace needs root");
        Path file = home.resolve("traced.txt");
        try (Running running = Running.start(recipe, home)) {
            running.await(() -> {
                write(file);
                return running.stdout().contains(file.toString());
            }, "an event on " + file);
            running.signal("INT");
            assertEquals(0, running.exitWithin(LIMIT), running.stderr());
            for (String line : running.stdout().lines().toList()) {
                assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} .*\\(\\d+\\): [RCWO+D<>]+ .*"), line);
            }
        }
    }

    static void fatraceEndsWithItsReader(String recipe, Path home) throws Exception {
        Requirements.require(Requirements.isRoot(), "fatrace needs root");
        try (Running running = Running.start(recipe, home)) {
            running.await(() -> {
                write(home.resolve("event.txt"));
                return !running.process().isAlive();
            }, "head to take 10 lines and fatrace to end");
            assertEquals(0, running.exitWithin(LIMIT), running.stderr());
            assertEquals(10, running.stdout().lines().count(), running.stdout());
        }
    }

    static void psMemShowsAProcessByName(String recipe, Path home) throws Exception {
        Path agetty = home.resolve("agetty");
        Files.copy(Path.of("/bin/sleep"), agetty);
        Files.setPosixFilePermissions(agetty, PosixFilePermissions.fromString("rwx------"));
        Process process = new ProcessBuilder(agetty.toString(), "60").start();
        try {
            Result result = Result.of(recipe, home);
            assertEquals(0, result.exit, result.toString());
            assertTrue(result.stdout.startsWith("agetty:\n"), result.stdout);
            assertTrue(result.stdout.contains("  " + process.pid() + ":\n"), result.stdout);
        } finally {
            process.destroyForcibly().waitFor();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void write(Path file) {
        try {
            Files.writeString(file, "x");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static ProcessBuilder shell(String recipe, Path home) {
        Path root = Requirements.repoRoot();
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", recipe).directory(root.toFile());
        builder.environment().put("HOME", home.toString());
        builder.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
        builder.environment().remove("NOTIFY_SOCKET");
        return builder;
    }

    private record Result(int exit, String stdout, String stderr) {
        static Result of(String recipe, Path home) throws Exception {
            try (Running running = Running.start(recipe, home)) {
                int exit = running.exitWithin(LIMIT);
                return new Result(exit, running.stdout(), running.stderr());
            }
        }
    }

    /** A recipe running in bash; closing it stops bash and everything it started. */
    private static final class Running implements AutoCloseable {
        private final CapturedProcess captured;

        private Running(CapturedProcess captured) {
            this.captured = captured;
        }

        static Running start(String recipe, Path home) throws IOException {
            return new Running(CapturedProcess.start("gleaner-recipe", shell(recipe, home)));
        }

        Process process() {
            return captured.process();
        }

        String stdout() {
            try {
                return captured.stdout();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        String stderr() {
            try {
                return captured.stderr();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        void await(BooleanSupplier condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (!condition.getAsBoolean()) {
                assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; stderr: " + stderr());
                Thread.sleep(100);
            }
        }

        /** Sends the signal to the recipe's processes (bash execs a lone command; a pipeline has children). */
        void signal(String name) throws Exception {
            List<Long> pids = Stream.concat(Stream.of(process().toHandle()), process().descendants())
                    .map(ProcessHandle::pid).toList();
            for (long pid : pids) {
                new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor();
            }
        }

        int exitWithin(Duration limit) throws InterruptedException {
            if (!process().waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + limit + "; stderr: " + stderr());
            }
            return process().exitValue();
        }

        @Override
        public void close() {
            process().descendants().forEach(ProcessHandle::destroyForcibly);
            captured.close();
        }
    }
}
