package org.gleaner.agent.fatrace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The mount points fatrace watches without -c: "/" first, then every mount backed by a device or file. */
public final class Mounts {
    private Mounts() {}

    public static List<Path> deviceBacked(Path mountsFile) throws IOException {
        Set<Path> mountPoints = new LinkedHashSet<>();
        mountPoints.add(Path.of("/"));
        for (String line : Files.readAllLines(mountsFile)) {
            String[] fields = line.split(" ");
            if (fields.length < 3) {
                continue;
            }
            String source = unescape(fields[0]);
            // Like fatrace: only mounts of a real device or file; proc, sysfs, tmpfs... cause no disk access.
            if (source.startsWith("/") && Files.exists(Path.of(source))) {
                mountPoints.add(Path.of(unescape(fields[1])));
            }
        }
        return new ArrayList<>(mountPoints);
    }

    /** /proc/self/mounts writes space, tab, newline and backslash as octal escapes (\040...). */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String field, int start) {
        if (start + 3 > field.length()) {
            return false;
        }
        for (int i = start; i < start + 3; i++) {
            char c = field.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
