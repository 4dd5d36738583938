package org.gleaner.agent.psmem;

import java.util.List;
import org.gleaner.collectors.smaps.KernelText;

/**
 * How ps-mem prints sizes and names. Any name may hold spaces, dots, quotes or newlines, so a name
 * that is not plainly safe is printed single-quoted with escapes (like the seed's '/lib/ld.so'),
 * and no control character is ever printed raw: a name cannot fake a line or a level.
 */
public final class Text {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private Text() {}

    /** "252.0 KiB", "1.5 MiB"; zero is "0". */
    public static String size(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        double value = bytes / 1024.0;
        int unit = 0;
        while (unit < UNITS.length - 1 && Math.round(value * 10) >= 10240) {
            value /= 1024;
            unit++;
        }
        long tenths = Math.round(value * 10);
        // StringBuilder rather than +: string concatenation is bootstrapped through invokedynamic
        return new StringBuilder(12).append(tenths / 10).append('.').append(tenths % 10).append(' ')
                .append(UNITS[unit]).toString();
    }

    /**
     * A key in tree or flat output (group, mapping): bare only if made of letters, digits and
     * {@code _ - + @ % [ ]}, not starting with '-' (reserved for -stats, -cmdline...).
     */
    public static String component(String name) {
        boolean bare = !name.isEmpty() && name.charAt(0) != '-';
        for (int i = 0; bare && i < name.length(); i++) {
            char c = name.charAt(i);
            bare = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '_' || c == '-' || c == '+' || c == '@' || c == '%' || c == '[' || c == ']';
        }
        return bare ? name : quoted(name);
    }

    /** A word in a value (an argument, a group name in a list): quoted if it holds blanks, quotes or controls. */
    public static String word(String text) {
        boolean bare = !text.isEmpty();
        for (int i = 0; bare && i < text.length(); i++) {
            char c = text.charAt(i);
            bare = c > ' ' && c != '\'' && c != '"' && c != '\\' && c != ',' && !isControl(c);
        }
        return bare ? text : quoted(text);
    }

    /** The arguments, each a {@link #word}, separated by spaces. */
    public static String words(List<String> arguments) {
        StringBuilder out = new StringBuilder();
        for (String argument : arguments) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(word(argument));
        }
        return out.toString();
    }

    public static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('\'');
        escape(text, '\'', false, out);
        return out.append('\'').toString();
    }

    /**
     * Appends {@code text} with {@code quote}, backslash and control characters escaped: C-style
     * ({@code \\xNN}) or, for JSON, {@code \\uNNNN}.
     */
    static void escape(String text, char quote, boolean json, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == quote || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (KernelText.isEscapedByte(c)) {
                out.append(json ? String.format("\\u%04x", (int) c)
                        : String.format("\\x%02x", c - KernelText.ESCAPED_BYTE_BASE));
            } else if (isControl(c)) {
                out.append(String.format(!json && c < 0x100 ? "\\x%02x" : "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
    }

    /**
     * C0, DEL, C1 and the Unicode line and paragraph separators (anything a terminal may treat as a
     * break), and the chars that stand for bytes that were not UTF-8: never printed raw.
     */
    static boolean isControl(char c) {
        return c < 0x20 || c >= 0x7f && c < 0xa0 || c == '\u2028' || c == '\u2029' || KernelText.isEscapedByte(c);
    }
}
