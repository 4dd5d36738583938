package org.gleaner.collectors.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteTextTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void printableUtf8IsKept() {
        assertEquals("café.txt", ByteText.human(utf8("café.txt")));
        assertEquals("日本語 file", ByteText.human(utf8("日本語 file")));
        assertEquals("😀", ByteText.human(utf8("😀")));
        assertTrue(ByteText.isPlain(utf8("café.txt")));
    }

    @Test
    void losslessKeepsUtf8AsTextAndEveryOtherByteApart() {
        assertEquals("café\\x", ByteText.lossless(utf8("café\\x"), 0, utf8("café\\x").length));
        String ffFe = ByteText.lossless(bytes('a', 0xff, 0xfe), 0, 3);
        assertEquals("a\udcff\udcfe", ffFe);
        assertNotEquals(ffFe, ByteText.lossless(bytes('a', 0xfe, 0xff), 0, 3));
        assertNotEquals(ByteText.lossless(bytes(0xc3), 0, 1), ByteText.lossless(utf8("\ufffd"), 0, 3));
        assertEquals("\udcc3é", ByteText.lossless(bytes(0xc3, 0xc3, 0xa9), 0, 3), "a cut sequence, then a whole one");
    }

    @Test
    void controlsBackslashAndBadBytesAreEscaped() {
        assertEquals("map\\x0afile", ByteText.human(utf8("map\nfile")));
        assertEquals("map\\\\012file", ByteText.human(utf8("map\\012file")));
        assertEquals("\\xff\\xfebad", ByteText.human(bytes(0xff, 0xfe, 'b', 'a', 'd')));
        assertEquals("\\xfe\\xffbad", ByteText.human(bytes(0xfe, 0xff, 'b', 'a', 'd')));
        assertEquals("caf\\xe9", ByteText.human(bytes('c', 'a', 'f', 0xe9)), "latin-1 é is not UTF-8");
        assertEquals("\\xc2\\x85", ByteText.human(utf8("\u0085")), "C1 NEL can break lines");
        assertEquals("\\xe2\\x80\\xa8", ByteText.human(utf8("\u2028")));
        assertEquals("\\x1b[31m", ByteText.human(utf8("\u001b[31m")));
        assertEquals("\\x7f", ByteText.human(bytes(0x7f)));
        assertEquals("\\xc0\\xaf", ByteText.human(bytes(0xc0, 0xaf)), "overlong '/'");
        assertEquals("\\xed\\xa0\\x80", ByteText.human(bytes(0xed, 0xa0, 0x80)), "encoded surrogate");
        assertEquals("\\xe2\\x82", ByteText.human(bytes(0xe2, 0x82)), "truncated sequence");
        assertFalse(ByteText.isPlain(utf8("a\\b")));
        assertFalse(ByteText.isPlain(bytes('a', 0xff)));
    }

    @Test
    void renderingIsReversibleAndInjective() {
        Random random = new Random(42);
        Map<String, byte[]> seen = new HashMap<>();
        for (int round = 0; round < 20_000; round++) {
            byte[] raw = new byte[random.nextInt(12)];
            for (int i = 0; i < raw.length; i++) {
                int pick = random.nextInt(4);
                raw[i] = (byte) (pick == 0 ? '\\' : pick == 1 ? 'x' : random.nextInt(256));
            }
            String human = ByteText.human(raw);
            assertArrayEquals(raw, ByteText.parse(human), human);
            byte[] earlier = seen.putIfAbsent(human, raw);
            if (earlier != null) {
                assertArrayEquals(earlier, raw, "two names rendered alike: " + human);
            }
            for (int i = 0; i < human.length(); i++) {
                assertTrue(human.charAt(i) >= 0x20 && human.charAt(i) != 0x7f, human);
            }
        }
    }

    @Test
    void parseRejectsLoneBackslashes() {
        assertThrows(IllegalArgumentException.class, () -> ByteText.parse("a\\"));
        assertThrows(IllegalArgumentException.class, () -> ByteText.parse("a\\q"));
        assertThrows(IllegalArgumentException.class, () -> ByteText.parse("a\\xg0"));
        assertArrayEquals(utf8("é\\"), ByteText.parse("é\\\\"));
    }

    @Test
    void jsonCarriesTheExactBytesWhenTheNameIsNotPlain() {
        assertEquals("\"path\":\"café\"", ByteText.appendJsonMember(new StringBuilder(), "path", utf8("café")).toString());
        byte[] raw = bytes('a', 0xff, '\n', '"');
        String json = ByteText.appendJsonMember(new StringBuilder(), "path", raw).toString();
        assertEquals("\"path\":\"a\\\\xff\\\\x0a\\\"\",\"path_base64\":\"" + Base64.getEncoder().encodeToString(raw) + "\"", json);
        assertArrayEquals(json.getBytes(StandardCharsets.UTF_8), new String(json.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        assertNotEquals(ByteText.human(bytes(0xff, 0xfe)), ByteText.human(bytes(0xfe, 0xff)));
    }

    @Test
    void jsonStringEscapesLoneSurrogatesAndControls() {
        assertEquals("\"a\\u000ab\\udcff\"", ByteText.appendJsonString(new StringBuilder(), "a\nb\udcff").toString());
        assertEquals("\"😀\"", ByteText.appendJsonString(new StringBuilder(), "😀").toString());
    }
}
