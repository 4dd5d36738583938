package org.gleaner.agent.filewatch;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

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
 * {@code *} and {@code ?} never cross a {@code /}; {@code **} does; {@code [abc]} and {@code {a,b}} work
 * as in {@link java.nio.file.FileSystem#getPathMatcher}.
 */
public final class Excludes {

    /** Git's own directory and the swap, backup and probe files that editors write next to a file. */
    public static final List<String> DEFAULTS =
            List.of(".git/", ".*.sw?", "*~", "4913", ".#*", "#*#");

    private record Rule(PathMatcher matcher, Scope scope) {}

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
            try {
                rules.add(new Rule(FileSystems.getDefault().getPathMatcher("glob:" + body), scope));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("--exclude '" + pattern + "': " + e.getDescription());
            }
        }
        return new Excludes(List.copyOf(rules));
    }

    /**
     * Whether {@code relative} (a path below a watched root) is excluded; {@code directory} tells whether
     * the entry itself is a directory.
     */
    public boolean excludes(Path relative, boolean directory) {
        int components = relative.getNameCount();
        for (Rule rule : rules) {
            for (int i = 0; i < components; i++) {
                boolean isDirectory = i < components - 1 || directory;
                boolean hit = switch (rule.scope) {
                    case ANY_COMPONENT -> rule.matcher.matches(relative.getName(i));
                    case DIRECTORY_COMPONENT -> isDirectory && rule.matcher.matches(relative.getName(i));
                    case ANCHORED -> rule.matcher.matches(relative.subpath(0, i + 1));
                };
                if (hit) {
                    return true;
                }
            }
        }
        return false;
    }
}
