package org.gleaner.agent.fatrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;

/** bin/fatrace end to end, on a private tmpfs so that no other process's events interfere. */
class FatraceToolTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final Pattern LINE = Pattern.compile("(.*)\\((\\d+)\\): ([RCWO+D<>]+) (.*)");
    private static final String WORKLOAD = "mkdir w && cd w && echo hello > a && cat a > /dev/null && mkdir d"
            + " && mv a d/b && echo more >> d/b && touch 'sp ace' && rm -r d && rm 'sp ace'";

    static String fatrace() {
        return Requirements.repoRoot().resolve("bin/fatrace").toString();
    }

    @Test
    @Privileged("fatrace marks a filesystem")
    void workloadProducesExactlyTheExpectedLines() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fatrace")) {
            Path root = tmpfs.path();
            try (Tracer ours = Tracer.start(root, fatrace(), "-c", "-s", "3")) {
                Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && " + WORKLOAD, "sh", root.toString()).ok();
                assertEquals(0, ours.await(LIMIT), ours.stderr());
                assertEquals("", ours.stderr());
                Path w = root.resolve("w");
                Map<String, Set<Character>> letters = lettersByPath(ours.lines(), w);
                String all = String.join("\n", ours.lines());
                assertEquals(Set.of("", "a", "d", "d/b", "sp ace"), letters.keySet(), all);
                assertEquals(chars("+OWCR<"), letters.get("a"), all);
                assertEquals(chars(">OWCD"), letters.get("d/b"), all);
                assertEquals(chars("+OWCD"), letters.get("sp ace"), all);
                // directories: created and removed, plus whatever reading them for rm -r shows
                assertTrue(letters.get("d").containsAll(chars("+D")) && chars("+ORCD").containsAll(letters.get("d")), all);
                assertTrue(letters.get("").contains('+') && chars("+ORC").containsAll(letters.get("")), all);
                assertEquals(Set.of(), new TreeSet<>(pathsOutside(ours.lines(), root)), "only the tmpfs is watched");
            }
        }
    }

    static Set<Character> chars(String letters) {
        Set<Character> set = new TreeSet<>();
        for (char c : letters.toCharArray()) {
            set.add(c);
        }
        return set;
    }

    /** Union of the letters printed per path under {@code top} (relative; "" for top itself). */
    static Map<String, Set<Character>> lettersByPath(List<String> lines, Path top) {
        Map<String, Set<Character>> letters = new TreeMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "not a fatrace line: " + line);
            Path path = Path.of(m.group(4));
            if (path.startsWith(top)) {
                letters.computeIfAbsent(top.relativize(path).toString(), k -> new TreeSet<>()).addAll(chars(m.group(3)));
            }
        }
        return letters;
    }

    private static List<String> pathsOutside(List<String> lines, Path root) {
        List<String> outside = new ArrayList<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (m.matches() && !Path.of(m.group(4)).startsWith(root)) {
                outside.add(line);
            }
        }
        return outside;
    }

    @Test
    @Privileged("fatrace marks a filesystem")
    void hostileNamesPrintAsOneEscapedLineEach() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fatrace-names")) {
            Path root = tmpfs.path();
            try (Tracer text = Tracer.start(root, fatrace(), "-c", "-s", "8", "-f", "+");
                 Tracer json = Tracer.start(root, fatrace(), "-c", "-s", "8", "-f", "+", "--json")) {
                Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && touch \"$(printf 'new\\nline')\" 'a\\b' 'x\"y'", "sh",
                        root.toString()).ok();
                assertEquals(0, text.await(LIMIT), text.stderr());
                assertEquals(0, json.await(LIMIT), json.stderr());
                List<String> lines = text.lines();
                assertEquals(3, lines.size(), String.join("\n", lines));
                assertTrue(lines.stream().anyMatch(l -> l.endsWith("): + " + root + "/new\\x0aline")), lines.toString());
                assertTrue(lines.stream().anyMatch(l -> l.endsWith("): + " + root + "/a\\\\b")), lines.toString());
                List<String> objects = json.lines();
                assertEquals(3, objects.size(), String.join("\n", objects));
                String newline = Base64.getEncoder().encodeToString((root + "/new\nline").getBytes(StandardCharsets.UTF_8));
                assertTrue(objects.stream().anyMatch(l -> l.endsWith("\"types\":\"+\",\"path\":\"" + root
                        + "/new\\\\x0aline\",\"path_base64\":\"" + newline + "\"}")), objects.toString());
                assertTrue(objects.stream().anyMatch(l -> l.endsWith("\"path\":\"" + root + "/x\\\"y\"}")), objects.toString());
            }
        }
    }

    private static String pid(String line) {
        Matcher m = LINE.matcher(line);
        return m.matches() ? m.group(2) : "?";
    }

    @Test
    @Privileged("fatrace marks a filesystem")
    void filtersByTypeCommandAndPid() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fatrace-filter")) {
            Path root = tmpfs.path();
            // -C needs the process's name, read from /proc while it is alive: keep the shell alive a
            // moment after its write (a process that exits at once may print as "unknown", as in fatrace).
            try (Tracer tracer = Tracer.start(root, fatrace(), "-c", "-s", "3", "-f", "W", "-C", "sh")) {
                Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && echo x > by-sh && touch by-touch && cat by-sh > /dev/null"
                        + " && sleep 0.5 && true", "sh", root.toString()).ok();
                assertEquals(0, tracer.await(LIMIT), tracer.stderr());
                // The write and the close are one line "CW" when the kernel merged the two queued
                // events, or "W" then "CW" when fatrace read the first before the second was queued
                // (fanotify(7) merges only events not yet read).
                List<String> lines = tracer.lines();
                assertTrue(lines.size() == 1 || lines.size() == 2, String.join("\n", lines));
                for (String line : lines) {
                    assertTrue(line.matches("sh\\(\\d+\\): C?W " + Pattern.quote(root + "/by-sh")), line);
                }
                assertTrue(lines.get(lines.size() - 1).matches("sh\\(\\d+\\): CW .*"), String.join("\n", lines));
            }
        }
    }

    @Test
    @Privileged("fatrace marks a filesystem")
    void ignoredPidAndOwnOutputFileNeverAppear() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fatrace-pid")) {
            Path root = tmpfs.path();
            Path output = root.resolve("trace.log");
            Process sleeper = new ProcessBuilder("sh", "-c", "sleep 1; echo x > ignored; sleep 1").directory(root.toFile()).start();
            try (Tracer tracer = Tracer.start(root, fatrace(), "-c", "-s", "3", "-o", output.toString(),
                    "-p", Long.toString(sleeper.pid()))) {
                Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && echo y > seen", "sh", root.toString()).ok();
                assertEquals(0, tracer.await(LIMIT), tracer.stderr());
                List<String> lines = Files.readAllLines(output);
                assertTrue(lines.stream().anyMatch(l -> l.endsWith(" " + root + "/seen")), lines.toString());
                assertFalse(lines.stream().anyMatch(l -> l.contains("(" + sleeper.pid() + ")")), lines.toString());
                assertFalse(lines.stream().anyMatch(l -> l.contains("trace.log")), "its own writes: " + lines);
            } finally {
                sleeper.destroyForcibly().waitFor();
            }
        }
    }
}
