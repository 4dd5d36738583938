package org.gleaner.collectors.text;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The one way gleaner shows a name that came from the kernel as bytes (file, process, cgroup,
 * mapping names): printable UTF-8 is kept as it is, a backslash is doubled, and every other byte —
 * a control character, DEL, a C1 control, a line or paragraph separator, or a byte that is not
 * part of valid UTF-8 — is written {@code \xNN}. The rendering is reversible ({@link #parse}), so two
 * different names never look alike, and it never contains a character that can end a line or
 * steer a terminal.
 */
public final class ByteText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ByteText() {}

    public static String human(byte[] raw) {
        return human(raw, 0, raw.length);
    }

    public static String human(byte[] raw, int offset, int length) {
        return appendHuman(new StringBuilder(length + 8), raw, offset, length).toString();
    }

    /** Appends the human form of {@code raw[offset, offset+length)} to {@code out}. */
    public static StringBuilder appendHuman(StringBuilder out, byte[] raw, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int b = raw[i] & 0xff;
            if (b < 0x80) {
                if (b < 0x20 || b == 0x7f) {
                    appendByte(out, b);
                } else if (b == '\\') {
                    out.append("\\\\");
                } else {
                    out.append((char) b);
                }
                i++;
                continue;
            }
            int sequence = validSequenceLength(raw, i, end);
            int codePoint = sequence == 0 ? -1 : decode(raw, i, sequence);
            if (codePoint < 0 || !isPrintable(codePoint)) {
                int stop = sequence == 0 ? i + 1 : i + sequence;
                for (; i < stop; i++) {
                    appendByte(out, raw[i] & 0xff);
                }
            } else {
                out.appendCodePoint(codePoint);
                i += sequence;
            }
        }
        return out;
    }

    /**
     * A name as a Java String that keeps every byte apart, for keys and metric components: valid
     * UTF-8 is decoded as it is, and each byte that is not part of valid UTF-8 becomes the lone
     * surrogate U+DC80+byte (as Python's "surrogateescape"), which no valid UTF-8 decodes to. So two
     * different names never give one String, and an ordinary name gives its own text. A plain UTF-8
     * decoder would turn both {@code \xff\xfe} and {@code \xfe\xff} into two U+FFFD.
     */
    public static String lossless(byte[] raw, int offset, int length) {
        int end = offset + length;
        StringBuilder out = null;
        int i = offset;
        while (i < end) {
            int b = raw[i] & 0xff;
            int sequence = b < 0x80 ? 1 : validSequenceLength(raw, i, end);
            if (sequence == 0 && out == null) {
                out = new StringBuilder(length).append(new String(raw, offset, i - offset, StandardCharsets.UTF_8));
            }
            if (out != null) {
                if (sequence == 0) {
                    out.append((char) (0xdc00 | b));
                } else if (sequence == 1) {
                    out.append((char) b);
                } else {
                    out.appendCodePoint(decode(raw, i, sequence));
                }
            }
            i += sequence == 0 ? 1 : sequence;
        }
        return out == null ? new String(raw, offset, length, StandardCharsets.UTF_8) : out.toString();
    }

    /** True when the human form is the name's own text: valid UTF-8, printable, no backslash. */
    public static boolean isPlain(byte[] raw) {
        int i = 0;
        while (i < raw.length) {
            int b = raw[i] & 0xff;
            if (b < 0x80) {
                if (b < 0x20 || b == 0x7f || b == '\\') {
                    return false;
                }
                i++;
                continue;
            }
            int sequence = validSequenceLength(raw, i, raw.length);
            if (sequence == 0 || !isPrintable(decode(raw, i, sequence))) {
                return false;
            }
            i += sequence;
        }
        return true;
    }

    /** The bytes a human form stands for: the inverse of {@link #human}. */
    public static byte[] parse(String human) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(human.length());
        int i = 0;
        while (i < human.length()) {
            char c = human.charAt(i);
            if (c == '\\') {
                if (i + 1 < human.length() && human.charAt(i + 1) == '\\') {
                    out.write('\\');
                    i += 2;
                } else if (i + 3 < human.length() && human.charAt(i + 1) == 'x'
                        && hexValue(human.charAt(i + 2)) >= 0 && hexValue(human.charAt(i + 3)) >= 0) {
                    out.write(hexValue(human.charAt(i + 2)) << 4 | hexValue(human.charAt(i + 3)));
                    i += 4;
                } else {
                    throw new IllegalArgumentException("a backslash must be followed by another backslash or by xNN (two hex digits) at offset " + i);
                }
                continue;
            }
            int codePoint = human.codePointAt(i);
            if (Character.isSurrogate(c) && Character.charCount(codePoint) == 1) {
                throw new IllegalArgumentException("unpaired surrogate at offset " + i);
            }
            byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
            out.write(encoded, 0, encoded.length);
            i += Character.charCount(codePoint);
        }
        return out.toByteArray();
    }

    /**
     * Appends the JSON member {@code "key":"HUMAN"} and, when the name is not {@link #isPlain plain},
     * {@code ,"key_base64":"RAW"} with the exact bytes, so a JSON consumer can always get the name
     * back while the document stays valid UTF-8.
     */
    public static StringBuilder appendJsonMember(StringBuilder json, String key, byte[] raw) {
        appendJsonString(json, key).append(':');
        appendJsonString(json, human(raw));
        if (!isPlain(raw)) {
            json.append(',');
            appendJsonString(json, key + "_base64").append(':').append('"')
                    .append(Base64.getEncoder().encodeToString(raw)).append('"');
        }
        return json;
    }

    /** Appends {@code text} as a JSON string literal: quote, backslash and controls escaped. */
    public static StringBuilder appendJsonString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1)))) {
                json.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
            } else {
                json.append(c);
            }
        }
        return json.append('"');
    }

    private static void appendByte(StringBuilder out, int b) {
        out.append('\\').append('x').append(HEX[b >> 4]).append(HEX[b & 0xf]);
    }

    /** C0, DEL and C1 controls and the line/paragraph separators are never shown raw. */
    private static boolean isPrintable(int codePoint) {
        return codePoint >= 0xa0 && codePoint != 0x2028 && codePoint != 0x2029;
    }

    /** Length of the well-formed UTF-8 sequence starting at {@code i} (RFC 3629), or 0. */
    private static int validSequenceLength(byte[] raw, int i, int end) {
        int b0 = raw[i] & 0xff;
        int length;
        int min2 = 0x80;
        int max2 = 0xbf;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            length = 2;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            length = 3;
            if (b0 == 0xe0) {
                min2 = 0xa0; // overlong
            } else if (b0 == 0xed) {
                max2 = 0x9f; // UTF-16 surrogates
            }
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            length = 4;
            if (b0 == 0xf0) {
                min2 = 0x90; // overlong
            } else if (b0 == 0xf4) {
                max2 = 0x8f; // above U+10FFFF
            }
        } else {
            return 0;
        }
        if (i + length > end) {
            return 0;
        }
        int b1 = raw[i + 1] & 0xff;
        if (b1 < min2 || b1 > max2) {
            return 0;
        }
        for (int k = 2; k < length; k++) {
            int b = raw[i + k] & 0xff;
            if (b < 0x80 || b > 0xbf) {
                return 0;
            }
        }
        return length;
    }

    private static int decode(byte[] raw, int i, int length) {
        int codePoint = raw[i] & (length == 2 ? 0x1f : length == 3 ? 0x0f : 0x07);
        for (int k = 1; k < length; k++) {
            codePoint = codePoint << 6 | raw[i + k] & 0x3f;
        }
        return codePoint;
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
