package org.gleaner.collectors.cgroup;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of /proc/PID/mountinfo (proc(5)): {@code 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3
 * /dev/root rw,errors=continue}. Paths have their octal escapes ({@code \040} for a space) decoded.
 *
 * @param device       the filesystem's MAJ:MIN; two mounts of one cgroup hierarchy share it
 * @param root         the directory of the filesystem mounted here ({@code /lxc/web01} in a container
 *                     without a cgroup namespace)
 * @param superOptions per-filesystem options; for cgroup v1 they name the controllers
 */
record MountInfo(String device, String root, String mountPoint, String fsType, String superOptions) {

    /** Parses every well-formed line; a malformed line is skipped. */
    static List<MountInfo> parse(String text) {
        List<MountInfo> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            MountInfo mount = parseLine(line);
            if (mount != null) {
                mounts.add(mount);
            }
        }
        return mounts;
    }

    static MountInfo parseLine(String line) {
        String[] fields = line.split(" ");
        int separator = -1;
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals("-")) {
                separator = i;
                break;
            }
        }
        if (separator < 0 || separator + 1 >= fields.length) {
            return null;
        }
        String superOptions = separator + 3 < fields.length ? fields[separator + 3] : "";
        return new MountInfo(fields[2], unescape(fields[3]), unescape(fields[4]), fields[separator + 1], superOptions);
    }

    /** Decodes the kernel's {@code \ooo} escapes of space, tab, newline and backslash (seq_path, "\t\n\\ "). */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && isOctal(field.charAt(i + 1)) && isOctal(field.charAt(i + 2))
                    && isOctal(field.charAt(i + 3))) {
                out.append((char) ((field.charAt(i + 1) - '0') * 64 + (field.charAt(i + 2) - '0') * 8 + (field.charAt(i + 3) - '0')));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }
}
