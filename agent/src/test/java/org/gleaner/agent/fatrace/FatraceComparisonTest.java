package org.gleaner.agent.fatrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;

/**
 * The same workload traced by the Debian fatrace and by ours, at once: the same files, processes
 * and event letters. The real one names the parent directory for create/delete/move (+ D &lt; &gt;)
 * where ours names the entry, so those letters are compared on the entry's parent.
 */
class FatraceComparisonTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final Pattern LINE = Pattern.compile("(.*)\\((\\d+)\\): ([RCWO+D<>]+) +(.*)");
    /**
     * The real fatrace names a file by opening its handle when it reads the event, so a file renamed
     * or removed before then shows under its new name or as "(deleted)" (ours keeps the name the
     * event happened under). The pauses let it read each group of events before the next renames.
     */
    private static final String WORKLOAD = "mkdir w && cd w && echo hello > a && cat a > /dev/null && mkdir d"
            + " && sleep 0.5 && mv a d/b && echo more >> d/b && cp d/b c && touch 'sp ace'"
            + " && sleep 0.5 && rm 'sp ace' && mv c d/";

    @Test
    @Privileged("both tracers mark a filesystem")
    void sameFilesAndLettersAsTheRealFatrace() throws Exception {
        Path real = Requirements.requireTool("fatrace");
        try (Tmpfs tmpfs = Tmpfs.mount("fatrace-compare")) {
            Path root = tmpfs.path();
            try (Tracer theirs = Tracer.start(root, real.toString(), "-c", "-s", "4");
                 Tracer ours = Tracer.start(root, FatraceToolTest.fatrace(), "-c", "-s", "4")) {
                Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && " + WORKLOAD, "sh", root.toString()).ok();
                assertEquals(0, theirs.await(LIMIT), theirs.stderr());
                assertEquals(0, ours.await(LIMIT), ours.stderr());
                Path w = root.resolve("w");
                Set<String> expected = normalize(theirs.lines(), w, false);
                Set<String> actual = normalize(ours.lines(), w, true);
                assertTrue(expected.size() > 20, "the real fatrace saw too little: " + expected);
                assertEquals(expected, actual, "real fatrace:\n" + String.join("\n", theirs.lines())
                        + "\nours:\n" + String.join("\n", ours.lines()));
            }
        }
    }

    /** "pid letter path" for every letter of every line at or under {@code top}. */
    private static Set<String> normalize(List<String> lines, Path top, boolean entryNames) {
        Set<String> facts = new TreeSet<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !m.group(4).startsWith("/")) {
                continue; // "(deleted)" from the real one, or another tool's line
            }
            Path path = Path.of(m.group(4));
            for (char letter : m.group(3).toCharArray()) {
                Path named = entryNames && "+D<>".indexOf(letter) >= 0 ? path.getParent() : path;
                if (named.startsWith(top)) {
                    facts.add(m.group(2) + " " + letter + " " + top.relativize(named));
                }
            }
        }
        return facts;
    }
}
