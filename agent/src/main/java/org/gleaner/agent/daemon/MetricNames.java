package org.gleaner.agent.daemon;

/**
 * Graphite names. Every component is escaped on its own: anything outside [A-Za-z0-9_-] becomes
 * '_' (one per character), an empty component becomes "_", so no process, cgroup, device or peer
 * name can add a level, break a line or inject a second datapoint.
 */
public final class MetricNames {
    private MetricNames() {}

    public static String escape(String component) {
        if (component == null || component.isEmpty()) {
            return "_";
        }
        if (allSafe(component)) {
            return component; // the common case: nothing to replace, nothing to copy
        }
        return appendEscaped(new StringBuilder(component.length()), component).toString();
    }

    private static boolean allSafe(String component) {
        for (int i = 0; i < component.length(); i++) {
            if (!isSafe(component.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Appends {@code component} escaped: one '_' per unsafe character (a surrogate pair is one character). */
    private static StringBuilder appendEscaped(StringBuilder out, String component) {
        if (component == null || component.isEmpty()) {
            return out.append('_');
        }
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            if (isSafe(c)) {
                out.append(c);
            } else {
                out.append('_');
                if (Character.isHighSurrogate(c) && i + 1 < component.length() && Character.isLowSurrogate(component.charAt(i + 1))) {
                    i++;
                }
            }
        }
        return out;
    }

    private static boolean isSafe(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    /**
     * The configured prefix with {host} substituted: its dots separate levels, and each level is
     * escaped after substitution, so the host name's own dots never add levels.
     */
    public static String prefix(String template, String hostname) {
        StringBuilder out = new StringBuilder();
        for (String level : template.split("\\.", -1)) {
            if (!out.isEmpty()) {
                out.append('.');
            }
            out.append(escape(level.replace("{host}", hostname)));
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
