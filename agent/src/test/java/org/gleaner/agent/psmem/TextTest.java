package org.gleaner.agent.psmem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
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
    void componentsAreBareOnlyWhenUnambiguous() {
        assertEquals("agetty", Text.component("agetty"));
        assertEquals("[heap]", Text.component("[heap]"));
        assertEquals("'/lib/ld-2.12.2.so'", Text.component("/lib/ld-2.12.2.so"));
        assertEquals("'python3.11'", Text.component("python3.11"), "a dot would add a level in flat output");
        assertEquals("'-stats'", Text.component("-stats"), "cannot pass for the reserved keys");
        assertEquals("''", Text.component(""));
        assertEquals("'a\\'b\\\\c\\nd\\x01\\x7f\\u2028'", Text.component("a'b\\c\nd\u0001\u007f\u2028"));
        assertEquals("'[anon:my buf]'", Text.component("[anon:my buf]"));
        assertEquals("'bad\\xffbyte'", Text.component("bad\uDCFFbyte"), "a byte that was not UTF-8");
        assertEquals("'bad\\xffbyte'", Text.word("bad\uDCFFbyte"));
    }

    @Test
    void commandLineWords() {
        assertEquals("/sbin/agetty tty3 38400", Text.words(List.of("/sbin/agetty", "tty3", "38400")));
        assertEquals("x 'a b' '' 'it\\'s' 'l\\nf' 'a,b'", Text.words(List.of("x", "a b", "", "it's", "l\nf", "a,b")));
    }

    @Test
    void jsonEscapes() {
        StringBuilder out = new StringBuilder();
        Text.escape("q\"b\\n\n\u0001'\u0085\uDCFF", '"', true, out);
        assertEquals("q\\\"b\\\\n\\n\\u0001'\\u0085\\udcff", out.toString());
    }
}
