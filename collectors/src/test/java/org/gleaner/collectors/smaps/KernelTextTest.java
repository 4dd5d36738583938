package org.gleaner.collectors.smaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KernelTextTest {
    private static String decode(byte... bytes) {
        return KernelText.decode(bytes, 0, bytes.length);
    }

    @Test
    void utf8AndAsciiDecodeAsSuch() {
        byte[] text = "/usr/lib/läuft 日本.so".getBytes(StandardCharsets.UTF_8);
        assertEquals("/usr/lib/läuft 日本.so", KernelText.decode(text, 0, text.length));
        assertEquals("bc", KernelText.decode("abcd".getBytes(StandardCharsets.US_ASCII), 1, 2));
        assertEquals("", decode());
    }

    @Test
    void bytesThatAreNotUtf8AreKeptOneCharEach() {
        String decoded = decode((byte) 'a', (byte) 0xff, (byte) 0xc3, (byte) 'b', (byte) 0xc3, (byte) 0xa4);
        assertEquals("a\uDCFF\uDCC3bä", decoded);
        assertTrue(KernelText.isEscapedByte(decoded.charAt(1)));
        assertFalse(KernelText.isEscapedByte('a'));
        assertNotEquals(decode((byte) 0xfe), decode((byte) 0xff), "different bytes stay different");
    }
}
