package org.gleaner.collectors.smaps;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Names from the kernel (paths, arguments, comm) are bytes, usually but not always UTF-8. Valid
 * UTF-8 decodes as such; a name that is not keeps every byte: each byte that is not part of a
 * valid sequence becomes the lone surrogate U+DC80 + (byte - 0x80), as Python's "surrogateescape"
 * does, so two different names never print the same (printers escape such chars as \xNN).
 */
public final class KernelText {
    /** The first of the 128 chars that stand for undecodable bytes 0x80..0xff. */
    public static final char ESCAPED_BYTE_BASE = '\uDC00';

    private KernelText() {}

    public static String decode(byte[] bytes, int offset, int length) {
        boolean ascii = true;
        for (int i = offset; i < offset + length && ascii; i++) {
            ascii = bytes[i] >= 0;
        }
        if (ascii) {
            return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return strict.decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            return decodeKeepingBadBytes(strict.reset(), bytes, offset, length);
        }
    }

    /** True for a char that stands for an undecodable byte; {@code (byte) c} is that byte. */
    public static boolean isEscapedByte(char c) {
        return c >= ESCAPED_BYTE_BASE + 0x80 && c <= ESCAPED_BYTE_BASE + 0xff;
    }

    private static String decodeKeepingBadBytes(CharsetDecoder decoder, byte[] bytes, int offset, int length) {
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length);
        while (true) {
            var result = decoder.decode(in, out, true);
            if (result.isUnderflow() || result.isOverflow()) {
                break; // overflow cannot happen: UTF-8 never decodes to more chars than bytes
            }
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    out.put((char) (ESCAPED_BYTE_BASE + (in.get() & 0xff)));
                }
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
