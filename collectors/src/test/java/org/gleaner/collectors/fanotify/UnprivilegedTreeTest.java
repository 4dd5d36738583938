package org.gleaner.collectors.fanotify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.TempTrees;
import org.junit.jupiter.api.Test;

/** Tree mode as a normal user: nobody watches a tree it owns, with no capabilities at all. */
class UnprivilegedTreeTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @Test
    @Privileged("switching to user nobody needs root")
    void normalUserSeesItsOwnTreesEvents() throws Exception {
        Requirements.requireTool("setpriv");
        Path work = Files.createTempDirectory("gleaner-unpriv-" + ProcessHandle.current().pid() + "-");
        Process watcher = null;
        try {
            Path classpath = copyClasspath(work.resolve("cp"));
            Path tree = Files.createDirectories(work.resolve("tree/sub"));
            Cmd.run(LIMIT, "chown", "-R", "nobody:nogroup", work.resolve("tree").toString()).ok();
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path root = work.resolve("tree");
            Path output = work.resolve("watcher.out");

            watcher = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + work.resolve("tmp"), "-Djna.tmpdir=" + work.resolve("tmp"),
                    "-cp", classpath + "/*:" + classpath + "/classes:" + classpath + "/test-classes",
                    TreeWatchMain.class.getName(), root.toString(), "stop")
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            assertEquals("scope TREE", firstLine(output, watcher), "the watcher could not start as nobody");

            Cmd.run(LIMIT, "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c",
                    "cd \"$1\" && echo a > sub/file && mv sub/file sub/renamed && rm sub/renamed && echo b > stop",
                    "sh", root.toString()).ok();
            boolean stopped = watcher.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS);
            List<String> all = Files.readAllLines(output);
            List<String> events = all.subList(1, all.size());
            assertTrue(!events.contains("overflow"), "the queue overflowed: is /proc/sys/fs/fanotify/max_queued_events"
                    + " lowered by another test? " + events);
            assertTrue(stopped, "watcher did not see the stop file: " + events);
            String sub = root.resolve("sub").toString();
            assertTrue(events.stream().anyMatch(e -> e.endsWith(" 0 " + sub + "/file")), "events: " + events);
            assertTrue(events.contains(hex(FileEvent.MOVED_TO) + " 0 " + sub + "/renamed"), "events: " + events);
            assertTrue(events.contains(hex(FileEvent.DELETE) + " 0 " + sub + "/renamed"), "events: " + events);
            assertTrue(events.stream().allMatch(e -> e.split(" ", 3)[1].equals("0")),
                    "other processes' pids are hidden from an unprivileged listener: " + events);
        } finally {
            if (watcher != null) {
                watcher.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            TempTrees.delete(work);
        }
    }

    private static String firstLine(Path output, Process process) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = Files.readAllLines(output);
            if (!lines.isEmpty()) {
                return lines.get(0);
            }
            if (!process.isAlive()) {
                return "(exited " + process.exitValue() + " without output)";
            }
            Thread.sleep(20);
        }
        return "(no output within " + LIMIT + ")";
    }

    /** The test's classpath, copied where nobody can read it (~/.m2 under /root is not). */
    private static Path copyClasspath(Path target) throws IOException {
        Files.createDirectories(target);
        for (String entry : System.getProperty("java.class.path").split(":")) {
            Path source = Path.of(entry);
            if (Files.isDirectory(source)) {
                Path copy = target.resolve(source.getFileName());
                try (var paths = Files.walk(source)) {
                    for (Path path : (Iterable<Path>) paths::iterator) {
                        Path destination = copy.resolve(source.relativize(path).toString());
                        if (Files.isDirectory(path)) {
                            Files.createDirectories(destination);
                        } else {
                            Files.copy(path, destination, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else if (entry.endsWith(".jar") && Files.exists(source)) {
                Files.copy(source, target.resolve(source.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.createDirectories(target.getParent().resolve("tmp"));
        Cmd.run(LIMIT, "chmod", "-R", "a+rX", target.toString()).ok();
        Cmd.run(LIMIT, "chmod", "1777", target.getParent().resolve("tmp").toString()).ok();
        return target;
    }

    private static String hex(long mask) {
        return Long.toHexString(mask);
    }
}
