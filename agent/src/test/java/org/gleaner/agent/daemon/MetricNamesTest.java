package org.gleaner.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gleaner.agent.pipeline.Datapoint;
import org.junit.jupiter.api.Test;

class MetricNamesTest {
    static final List<String> HOSTILE = List.of("new\nline", "with space", "dots.in.name", "semi;colon", "",
            "tab\tand\rcr", "a\u0000nul", "../up", "ünïcode→", "emoji\uD83D\uDE00");

    @Test
    void eachComponentIsEscapedOnItsOwn() {
        assertEquals("new_line", withoutHash(MetricNames.escape("new\nline")));
        assertEquals("with_space", withoutHash(MetricNames.escape("with space")));
        assertEquals("dots_in_name", withoutHash(MetricNames.escape("dots.in.name")));
        assertEquals("semi_colon", withoutHash(MetricNames.escape("semi;colon")));
        assertEquals("", withoutHash(MetricNames.escape("")));
        assertEquals(MetricNames.escape(""), MetricNames.escape(null));
        assertEquals("emoji_", withoutHash(MetricNames.escape("emoji\uD83D\uDE00")), "one '_' per character, not per UTF-16 unit");
        assertEquals("Keep_these-09", MetricNames.escape("Keep_these-09"), "a safe name is kept as it is");
        assertEquals("a__b_", withoutHash(MetricNames.escape("a\uDE00\uD83Db\uD83D")), "a lone surrogate is a character of its own");
        assertEquals("h.c." + MetricNames.escape("emoji\uD83D\uDE00") + "." + MetricNames.escape("a\uDE00\uD83Db\uD83D") + "."
                + MetricNames.escape(null), MetricNames.join("h.c", "emoji\uD83D\uDE00", "a\uDE00\uD83Db\uD83D", null));
    }

    /** What escaping changed carries a hash of the raw name, so that names escaping alike stay apart. */
    @Test
    void namesThatEscapeAlikeGetDifferentNames() {
        List<String> alike = List.of("a_b", "a b", "a.b", "a\nb", "a\uDCffb", "a\uDCfeb", "a\u00e9b", "a\u00e8b", "a__b");
        Set<String> names = new HashSet<>();
        for (String raw : alike) {
            String name = MetricNames.escape(raw);
            assertTrue(name.matches("[A-Za-z0-9_-]+"), name);
            assertTrue(names.add(name), raw + " gives " + name + ", already taken: " + names);
        }
        assertEquals("a_b", MetricNames.escape("a_b"));
        assertTrue(MetricNames.escape("a b").matches("a_b_[0-9a-f]{12}"), MetricNames.escape("a b"));
        assertEquals(MetricNames.escape("a b"), MetricNames.escape("a b"), "stable");
        assertTrue(names.add(MetricNames.escape("")) && names.add(MetricNames.escape("_")), "empty and '_' differ");
    }

    /** A raw name shaped like an escaped one cannot take that name: it gets a suffix of its own. */
    @Test
    void aSafeNameShapedLikeAnEscapedOneCannotPoseAsIt() {
        String escaped = MetricNames.escape("python3 11");
        assertTrue(escaped.matches("python3_11_[0-9a-f]{12}"), escaped);
        String impostor = MetricNames.escape(escaped);
        assertTrue(!impostor.equals(escaped) && impostor.startsWith(escaped + "_"), impostor);
        assertEquals("python3_11_abc", MetricNames.escape("python3_11_abc"), "too short to look like a suffix");
    }

    private static String withoutHash(String name) {
        assertTrue(name.matches(".*_[0-9a-f]{12}"), name + " has no hash suffix");
        return name.substring(0, name.length() - 13);
    }

    @Test
    void joinNeverAddsLevels() {
        for (String hostile : HOSTILE) {
            String name = MetricNames.join("host.coll", "proc", hostile, "rss");
            assertEquals(5, name.split("\\.", -1).length, name);
            assertTrue(name.matches("[A-Za-z0-9_.-]+"), name);
        }
    }

    @Test
    void prefixSubstitutesTheEscapedHost() {
        assertEquals("web1_example_com", MetricNames.prefix("{host}", "web1.example.com"));
        assertEquals("servers.dc-1.web1_example_com.x", MetricNames.prefix("servers.dc-1.{host}.x", "web1.example.com"));
        assertEquals("h-web_1", MetricNames.prefix("h-{host}", "web 1"));
        assertEquals("a._.b", MetricNames.prefix("a..b", "h"));
    }

    @Test
    void hostileNamesGiveExactlyOneWellFormedLineEach() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutDelivery delivery = new StdoutDelivery(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<Datapoint> datapoints = HOSTILE.stream()
                .map(hostile -> new Datapoint(MetricNames.join("h.c", hostile), 1.5, 1_700_000_000L)).toList();
        delivery.submit(datapoints);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(HOSTILE.size(), lines.size(), lines.toString());
        for (String line : lines) {
            assertTrue(line.matches("h\\.c\\.[A-Za-z0-9_-]+ 1\\.5 1700000000"), line);
        }
    }

    @Test
    void valuesAreWrittenCompactly() {
        StringBuilder out = new StringBuilder();
        StdoutDelivery.appendValue(out, 4096.0);
        out.append(' ');
        StdoutDelivery.appendValue(out, 0.25);
        out.append(' ');
        StdoutDelivery.appendValue(out, -3.0);
        assertEquals("4096 0.25 -3", out.toString());
    }
}
