package org.gleaner.collectors.fileevents;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Mount points from /proc/self/mountinfo (proc(5)), for naming the mount an event's path lies on: the
 * deepest mount point that contains it, by whole path components. Mount points are octal-escaped
 * there (a space is {@code \040}).
 */
final class MountTable {

    private final List<Path> mountPoints;

    private MountTable(List<Path> mountPoints) {
        this.mountPoints = mountPoints;
    }

    /** Parses mountinfo text; lines it cannot read are skipped (the file is the kernel's, not hostile). */
    static MountTable parse(String mountinfo) {
        List<Path> points = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] fields = line.split(" ", 6);
            if (fields.length >= 5 && fields[4].startsWith("/")) {
                points.add(Path.of(unescape(fields[4])));
            }
        }
        points.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return new MountTable(List.copyOf(points));
    }

    /** The mount point holding {@code path}, or null for a path on no known mount. */
    Path mountOf(Path path) {
        for (Path point : mountPoints) {
            if (path.startsWith(point)) {
                return point;
            }
        }
        return null;
    }

    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
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

    private static boolean isOctal(String field, int from) {
        for (int i = from; i < from + 3; i++) {
            if (i >= field.length() || field.charAt(i) < '0' || field.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
