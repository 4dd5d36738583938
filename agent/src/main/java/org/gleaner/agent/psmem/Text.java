package org.gleaner.agent.psmem;

import java.util.List;
import org.gleaner.collectors.text.ByteText;

/**
 * How ps-mem prints sizes and names. Names come in their {@link ByteText#human human form}, which
 * holds no control character and no byte that is not printable UTF-8; a name that could still be
 * mistaken (a dot in a flat key, a blank or comma in a list) is printed single-quoted, as the seed
 * did ('/lib/ld.so'), the same way in every output: a name cannot fake a line or a level.
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
     * A name (group, mapping) wherever ps-mem shows it: a key of the tree and flat outputs, an entry
     * of a {@code -shared-with} list, a program in the summary. {@code human} is the name's
     * {@link ByteText#human human form}. Bare only if made of letters, digits and
     * {@code _ - + @ % [ ]}, not starting with '-' (reserved for -stats, -cmdline...); otherwise
     * {@link #quoted}. A dot would add a level in flat output, a blank or a comma split a list.
     */
    public static String name(String human) {
        boolean bare = !human.isEmpty() && human.charAt(0) != '-';
        for (int i = 0; bare && i < human.length(); i++) {
            char c = human.charAt(i);
            bare = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '_' || c == '-' || c == '+' || c == '@' || c == '%' || c == '[' || c == ']';
        }
        return bare ? human : quoted(human);
    }

    /** An argument of a command line (human form): bare unless empty or holding a blank, quote, comma or backslash. */
    public static String word(String human) {
        boolean bare = !human.isEmpty();
        for (int i = 0; bare && i < human.length(); i++) {
            char c = human.charAt(i);
            bare = c != ' ' && c != '\'' && c != '"' && c != '\\' && c != ',';
        }
        return bare ? human : quoted(human);
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

    /**
     * {@code 'HUMAN'}, with a quote inside written {@code \x27}, so that what stands between the
     * quotes is still a human form: {@link ByteText#parse} gives the name's bytes back.
     */
    public static String quoted(String human) {
        return "'" + human.replace("'", "\\x27") + "'";
    }
}
