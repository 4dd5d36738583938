package org.gleaner.agent.daemon;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Graphite names. Every component is escaped on its own: anything outside [A-Za-z0-9_-] becomes
 * '_' (one per character), so no process, cgroup, device or peer name can add a level, break a line
 * or inject a second datapoint.
 *
 * <p>Escaping alone would give {@code a b}, {@code a.b} and {@code a_b} one name, and Graphite keeps
 * whichever datapoint arrives last. So a component that escaping changes (or that is empty) also
 * gets {@code _} and 12 hex digits of the SHA-256 of its raw text: {@code a b} becomes
 * {@code a_b_<hash>}. A component that is already safe keeps its name, unless it ends the way such
 * a suffix does ({@code _} and 12 lower-case hex digits): then it gets a suffix of its own too, so
 * no raw name can pose as another one's escaped form. Two different components thus never share a
 * name (short of a SHA-256 collision in 48 bits).
 */
public final class MetricNames {
    static final int HASH_HEX_DIGITS = 12;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private MetricNames() {}

    /** One component, escaped so that different components give different names. */
    public static String escape(String component) {
        String raw = component == null ? "" : component;
        if (!raw.isEmpty() && allSafe(raw) && !endsLikeHash(raw)) {
            return raw; // the common case: nothing to replace, nothing to copy
        }
        return appendEscaped(new StringBuilder(raw.length() + 1 + HASH_HEX_DIGITS), raw).toString();
    }

    private static boolean allSafe(String component) {
        for (int i = 0; i < component.length(); i++) {
            if (!isSafe(component.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code component} ends with '_' and {@link #HASH_HEX_DIGITS} lower-case hex digits. */
    private static boolean endsLikeHash(String component) {
        int start = component.length() - HASH_HEX_DIGITS;
        if (start < 1 || component.charAt(start - 1) != '_') {
            return false;
        }
        for (int i = start; i < component.length(); i++) {
            char c = component.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Appends {@code component} as {@link #escape} gives it: one '_' per unsafe character (a surrogate
     * pair is one character), then the hash suffix where needed.
     */
    private static StringBuilder appendEscaped(StringBuilder out, String component) {
        String raw = component == null ? "" : component;
        if (!raw.isEmpty() && allSafe(raw) && !endsLikeHash(raw)) {
            return out.append(raw);
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (isSafe(c)) {
                out.append(c);
            } else {
                out.append('_');
                if (Character.isHighSurrogate(c) && i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1))) {
                    i++;
                }
            }
        }
        return appendHash(out.append('_'), raw);
    }

    /** The first {@link #HASH_HEX_DIGITS} hex digits of the SHA-256 of every UTF-16 unit of {@code raw}. */
    private static StringBuilder appendHash(StringBuilder out, String raw) {
        // UTF-16 units, not an encoding: a lone surrogate (a byte that was not UTF-8) must hash as itself
        byte[] units = new byte[raw.length() * 2];
        for (int i = 0; i < raw.length(); i++) {
            units[2 * i] = (byte) (raw.charAt(i) >> 8);
            units[2 * i + 1] = (byte) raw.charAt(i);
        }
        byte[] digest = sha256().digest(units);
        for (int i = 0; i < HASH_HEX_DIGITS / 2; i++) {
            out.append(HEX[digest[i] >> 4 & 0xf]).append(HEX[digest[i] & 0xf]);
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static boolean isSafe(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    /**
     * The configured prefix with {host} substituted: its dots separate levels, and each level has
     * its unsafe characters replaced by '_' after substitution, so the host name's own dots never
     * add levels. The prefix is the operator's choice and the same for every series of the agent,
     * so it gets no hash suffix ({@code web1.example.com} stays readable as {@code web1_example_com}).
     */
    public static String prefix(String template, String hostname) {
        StringBuilder out = new StringBuilder();
        for (String level : template.split("\\.", -1)) {
            if (!out.isEmpty()) {
                out.append('.');
            }
            String substituted = level.replace("{host}", hostname);
            if (substituted.isEmpty()) {
                out.append('_');
            }
            for (int i = 0; i < substituted.length(); i++) {
                char c = substituted.charAt(i);
                out.append(isSafe(c) ? c : '_');
            }
        }
        return out.toString();
    }

    /** {@code base} followed by each component, escaped. */
    public static String join(String base, String... components) {
        int length = base.length();
        for (String component : components) {
            length += 1 + (component == null ? 1 : component.length());
        }
        StringBuilder out = new StringBuilder(length).append(base);
        for (String component : components) {
            appendEscaped(out.append('.'), component);
        }
        return out.toString();
    }
}
