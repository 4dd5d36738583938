package org.gleaner.agent.psmem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.gleaner.collectors.text.ByteText;
import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void sizesAsInTheSeed() {
        assertEquals("0", Text.size(0));
        assertEquals("4.0 KiB", Text.size(4096));
        assertEquals("252.0 KiB", Text.size(252 * 1024));
        assertEquals("1.5 MiB", Text.size(1536 * 1024));
        assertEquals("28.4 MiB", Text.size((long) (28.4 * 1024 * 1024)));
        assertEquals("1023.9 KiB", Text.size(1023 * 1024 + 922));
        assertEquals("1.0 MiB", Text.size(1024 * 1024 - 1), "rounding up to 1024.0 KiB moves to the next unit");
        assertEquals("2.0 GiB", Text.size(2L << 30));
        assertEquals("3.0 TiB", Text.size(3L << 40));
        assertEquals("2048.0 TiB", Text.size(2L << 50), "no unit past TiB");
    }

    @Test
    void namesAreBareOnlyWhenUnambiguous() {
        assertEquals("agetty", Text.name("agetty"));
        assertEquals("[heap]", Text.name("[heap]"));
        assertEquals("'/lib/ld-2.12.2.so'", Text.name("/lib/ld-2.12.2.so"));
        assertEquals("'python3.11'", Text.name("python3.11"), "a dot would add a level in flat output");
        assertEquals("'-stats'", Text.name("-stats"), "cannot pass for the reserved keys");
        assertEquals("''", Text.name(""));
        assertEquals("'[anon:my buf]'", Text.name("[anon:my buf]"));
    }

    /** Quoted names stay human forms: what is between the quotes parses back to the exact bytes. */
    @Test
    void quotedNamesAreReversible() {
        byte[] raw = {'a', '\'', 'b', '\\', 'c', '\n', 'd', 1, 0x7f, (byte) 0xe2, (byte) 0x80, (byte) 0xa8, (byte) 0xff};
        String quoted = Text.name(ByteText.human(raw));
        assertEquals("'a\\x27b\\\\c\\x0ad\\x01\\x7f\\xe2\\x80\\xa8\\xff'", quoted);
        assertArrayEquals(raw, ByteText.parse(quoted.substring(1, quoted.length() - 1)));
        assertEquals(quoted, Text.word(ByteText.human(raw)), "one quoting everywhere");
    }

    @Test
    void commandLineWords() {
        assertEquals("/sbin/agetty tty3 38400", Text.words(List.of("/sbin/agetty", "tty3", "38400")));
        assertEquals("x 'a b' '' 'it\\x27s' 'l\\x0af' 'a,b'",
                Text.words(List.of("x", "a b", "", "it's", "l\nf", "a,b").stream()
                        .map(word -> ByteText.human(word.getBytes(StandardCharsets.UTF_8))).toList()));
    }
}
