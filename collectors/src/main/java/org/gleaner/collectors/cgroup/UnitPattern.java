package org.gleaner.collectors.cgroup;

import java.util.List;
import java.util.regex.Pattern;

/**
 * An include or exclude glob. One starting with "/" matches the cgroup path
 * ({@code /system.slice/*.service}); any other matches the unit's dotted name
 * ({@code services.getty.*}). {@code *} matches within one path component (not "/", resp. not "."),
 * {@code **} matches anything, {@code ?} one character.
 */
record UnitPattern(String glob, Pattern regex, boolean onCgroupPath) {

    static UnitPattern of(String glob) {
        if (glob.isEmpty()) {
            throw new IllegalArgumentException("empty cgroup unit pattern");
        }
        boolean onPath = glob.startsWith("/");
        String separator = Pattern.quote(onPath ? "/" : ".");
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("(?:(?!").append(separator).append(").)*");
            } else if (c == '?') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new UnitPattern(glob, Pattern.compile(regex.toString(), Pattern.DOTALL), onPath);
    }

    boolean matches(String cgroupPath, List<String> unitName) {
        return regex.matcher(onCgroupPath ? cgroupPath : String.join(".", unitName)).matches();
    }
}
