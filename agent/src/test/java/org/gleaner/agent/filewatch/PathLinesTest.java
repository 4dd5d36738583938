package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.Test;

class PathLinesTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private String write(boolean nul, String... paths) throws Exception {
        new PathLines(out, nul, new PrintStream(err, true, StandardCharsets.UTF_8))
                .deliver(new ChangeBatcher.Batch(List.of(paths).stream().map(BytePath::ofArgument).toList(), false));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void linesEndInNewline() throws Exception {
        assertEquals("/w/a b\n/w/c'd\n", write(false, "/w/a b", "/w/c'd"));
    }

    @Test
    void nulModeTerminatesEachPathWithNulAndKeepsNewlines() throws Exception {
        assertEquals("/w/a\0/w/new\nline\0", write(true, "/w/a", "/w/new\nline"));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void lineModeSkipsAPathHoldingANewlineWithAOneLineWarning() throws Exception {
        assertEquals("/w/a\n", write(false, "/w/new\nline", "/w/a"));
        String warning = err.toString(StandardCharsets.UTF_8);
        assertTrue(warning.startsWith("fatrace-pipe: warning: skipped a path holding a newline (use -0): /w/new\\x0aline"),
                warning);
        assertEquals(1, warning.lines().count());
    }
}
