package org.gleaner.collectors.bitrot;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Include and exclude globs over raw path bytes. A glob without '/' matches a name at any depth;
 * one with '/' matches the whole path below the root. {@code *} and {@code ?} stop at '/',
 * {@code **} does not. An excluded directory is not entered; when there are includes, only files
 * matching one of them are scrubbed.
 */
public final class PathFilter {
    private final List<Glob> includes;
    private final List<Glob> excludes;

    private record Glob(Pattern pattern, boolean anchored) {
        boolean matches(String relative, String name) {
            return pattern.matcher(anchored ? relative : name).matches();
        }
    }

    public PathFilter(List<String> includes, List<String> excludes) {
        this.includes = includes.stream().map(PathFilter::compile).toList();
        this.excludes = excludes.stream().map(PathFilter::compile).toList();
    }

    /** @throws IllegalArgumentException for an empty glob */
    private static Glob compile(String glob) {
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("a glob must not be empty");
        }
        // one char per byte (ISO-8859-1), so any name's bytes can be matched
        String bytes = latin1(glob.getBytes(StandardCharsets.UTF_8));
        boolean anchored = bytes.indexOf('/') >= 0;
        if (bytes.startsWith("/")) {
            bytes = bytes.substring(1);
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < bytes.length(); i++) {
            char c = bytes.charAt(i);
            if (c == '*' && i + 1 < bytes.length() && bytes.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new Glob(Pattern.compile(regex.toString(), Pattern.DOTALL), anchored);
    }

    private static String latin1(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    boolean excluded(byte[] relative, byte[] name) {
        String path = latin1(relative);
        String base = latin1(name);
        return excludes.stream().anyMatch(glob -> glob.matches(path, base));
    }

    boolean included(byte[] relative, byte[] name) {
        if (includes.isEmpty()) {
            return true;
        }
        String path = latin1(relative);
        String base = latin1(name);
        return includes.stream().anyMatch(glob -> glob.matches(path, base));
    }
}
