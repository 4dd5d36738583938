package org.gleaner.agent.filewatch;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.gleaner.collectors.text.BytePath;

/**
 * Glob patterns for paths that are never reported, matched against the path relative to its watched
 * root, the way .gitignore does:
 * <ul>
 * <li>a pattern without {@code /} ({@code *.swp}, {@code node_modules}) matches any single component:
 * the file's own name or the name of any directory above it, at any depth;</li>
 * <li>a pattern ending in {@code /} ({@code .git/}) matches only directories: everything below a
 * directory of that name is excluded;</li>
 * <li>any other pattern ({@code build/*.o}, {@code docs/**}) matches the whole relative path from the
 * root, or any leading part of it (so {@code build/out} also excludes {@code build/out/x}).</li>
 * </ul>
 * {@code *} and {@code ?} never cross a {@code /}; {@code **} does; {@code [abc]}, {@code [!a-c]} and
 * {@code {a,b}} work as in {@link java.nio.file.FileSystem#getPathMatcher}. Names are bytes: a pattern
 * is matched against the name as gleaner prints it ({@link org.gleaner.collectors.text.ByteText}), so
 * {@code café*} matches {@code café.txt} whatever the locale, and {@code *} matches a name holding
 * bytes that are not UTF-8 (shown {@code \xNN}) too.
 */
public final class Excludes {

    /** Git's own directory and the swap, backup and probe files that editors write next to a file. */
    public static final List<String> DEFAULTS =
            List.of(".git/", ".*.sw?", "*~", "4913", ".#*", "#*#");

    private record Rule(Pattern matcher, Scope scope) {}

    private enum Scope { ANY_COMPONENT, DIRECTORY_COMPONENT, ANCHORED }

    private final List<Rule> rules;

    private Excludes(List<Rule> rules) {
        this.rules = rules;
    }

    /** Compiles the patterns; an invalid one fails with a one-line message naming it. */
    public static Excludes of(List<String> patterns) {
        List<Rule> rules = new ArrayList<>();
        for (String pattern : patterns) {
            String body = pattern;
            Scope scope = Scope.ANY_COMPONENT;
            if (body.endsWith("/")) {
                body = body.substring(0, body.length() - 1);
                scope = Scope.DIRECTORY_COMPONENT;
            }
            if (body.startsWith("/")) {
                body = body.substring(1);
                scope = Scope.ANCHORED;
            }
            if (body.contains("/")) {
                scope = Scope.ANCHORED;
            }
            if (body.isEmpty()) {
                throw new IllegalArgumentException("--exclude '" + pattern + "': empty pattern");
            }
            rules.add(new Rule(Pattern.compile(globRegex(pattern, body)), scope));
        }
        return new Excludes(List.copyOf(rules));
    }

    /**
     * Whether {@code relative} (a path below a watched root) is excluded; {@code directory} tells whether
     * the entry itself is a directory.
     */
    public boolean excludes(BytePath relative, boolean directory) {
        BytePath[] names = relative.names();
        String[] shown = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            shown[i] = names[i].toString();
        }
        for (Rule rule : rules) {
            StringBuilder leading = new StringBuilder();
            for (int i = 0; i < shown.length; i++) {
                leading.append(i > 0 ? "/" : "").append(shown[i]);
                boolean isDirectory = i < shown.length - 1 || directory;
                boolean hit = switch (rule.scope) {
                    case ANY_COMPONENT -> rule.matcher.matcher(shown[i]).matches();
                    case DIRECTORY_COMPONENT -> isDirectory && rule.matcher.matcher(shown[i]).matches();
                    case ANCHORED -> rule.matcher.matcher(leading).matches();
                };
                if (hit) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The regular expression of a glob: {@code *} {@code ?} within a component, {@code **} across, {@code [...]}, {@code {a,b}}. */
    private static String globRegex(String pattern, String glob) {
        StringBuilder regex = new StringBuilder();
        boolean inGroup = false;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        regex.append(".*");
                        i++;
                    } else {
                        regex.append("[^/]*");
                    }
                }
                case '?' -> regex.append("[^/]");
                case '{' -> {
                    if (inGroup) {
                        throw invalid(pattern, "nested { }");
                    }
                    regex.append("(?:");
                    inGroup = true;
                }
                case '}' -> {
                    if (!inGroup) {
                        throw invalid(pattern, "} without {");
                    }
                    regex.append(')');
                    inGroup = false;
                }
                case ',' -> regex.append(inGroup ? "|" : ",");
                case '[' -> i = bracket(pattern, glob, i, regex);
                case '\\' -> {
                    if (++i == glob.length()) {
                        throw invalid(pattern, "a backslash at the end");
                    }
                    regex.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (inGroup) {
            throw invalid(pattern, "{ without }");
        }
        return regex.toString();
    }

    /** Appends the class {@code [...]} starting at {@code open}; returns the index of its {@code ]}. */
    private static int bracket(String pattern, String glob, int open, StringBuilder regex) {
        int i = open + 1;
        regex.append("[[^/]&&[");
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            regex.append('^');
            i++;
        }
        boolean first = true;
        for (; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == ']' && !first) {
                regex.append("]]");
                return i;
            }
            if (c == '-' && !first && i + 1 < glob.length() && glob.charAt(i + 1) != ']') {
                regex.append('-');
            } else if (Character.isLetterOrDigit(c)) {
                regex.append(c);
            } else {
                regex.append('\\').append(c);
            }
            first = false;
        }
        throw invalid(pattern, "[ without ]");
    }

    private static IllegalArgumentException invalid(String pattern, String why) {
        return new IllegalArgumentException("--exclude '" + pattern + "': " + why);
    }
}
