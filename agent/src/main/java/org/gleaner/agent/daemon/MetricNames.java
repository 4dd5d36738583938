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
        StringBuilder out = new StringBuilder(component.length());
        component.codePoints().forEach(c -> out.append(isSafe(c) ? (char) c : '_'));
        return out.toString();
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
        StringBuilder out = new StringBuilder(base);
        for (String component : components) {
            out.append('.').append(escape(component));
        }
        return out.toString();
    }
}
