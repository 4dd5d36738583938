package org.gleaner.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.gleaner.agent.pipeline.Datapoint;
import org.junit.jupiter.api.Test;

class MetricNamesTest {
    static final List<String> HOSTILE = List.of("new\nline", "with space", "dots.in.name", "semi;colon", "",
            "tab\tand\rcr", "a\u0000nul", "../up", "ünïcode→", "emoji\uD83D\uDE00");

    @Test
    void eachComponentIsEscapedOnItsOwn() {
        assertEquals("new_line", MetricNames.escape("new\nline"));
        assertEquals("with_space", MetricNames.escape("with space"));
        assertEquals("dots_in_name", MetricNames.escape("dots.in.name"));
        assertEquals("semi_colon", MetricNames.escape("semi;colon"));
        assertEquals("_", MetricNames.escape(""));
        assertEquals("_", MetricNames.escape(null));
        assertEquals("emoji_", MetricNames.escape("emoji\uD83D\uDE00"), "one '_' per character, not per UTF-16 unit");
        assertEquals("Keep_these-09", MetricNames.escape("Keep_these-09"));
        assertEquals("a__b_", MetricNames.escape("a\uDE00\uD83Db\uD83D"), "a lone surrogate is a character of its own");
        assertEquals("h.c.emoji_.a__b_._", MetricNames.join("h.c", "emoji\uD83D\uDE00", "a\uDE00\uD83Db\uD83D", null));
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
