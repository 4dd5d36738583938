package org.gleaner.collectors.procfs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.gleaner.collectors.text.BytePath;

/**
 * One line of /proc/PID/mountinfo (proc(5)): {@code 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3
 * /dev/root rw,errors=continue}. Paths and the source have their octal escapes ({@code \040} for a
 * space) decoded.
 *
 * @param mountId      unique id of this mount
 * @param parentId     id of the parent mount (the mount itself for the root of the namespace)
 * @param device       the filesystem's MAJ:MIN; two mounts of one filesystem (e.g. bind mounts) share it
 * @param root         the directory of the filesystem mounted here ({@code /lxc/web01} in a container
 *                     without a cgroup namespace)
 * @param mountPoint   where it is mounted, relative to the reading process's root
 * @param options      per-mount options
 * @param fsType       filesystem type, e.g. {@code ext4}, {@code cgroup2}
 * @param source       filesystem-specific source, e.g. {@code /dev/sda1}, {@code tmpfs}; empty if absent
 * @param superOptions per-filesystem options; for cgroup v1 they name the controllers; empty if absent
 */
public record MountInfo(int mountId, int parentId, String device, String root, String mountPoint, String options,
                        String fsType, String source, String superOptions) {

    /**
     * Parses mountinfo as read from the kernel, keeping every byte of every field (decoded as
     * ISO-8859-1, one char per byte, which cannot fail): for {@link #mountPointPath}.
     */
    public static List<MountInfo> parse(byte[] content) {
        return parse(new String(content, StandardCharsets.ISO_8859_1));
    }

    /** The mount point's bytes, for a record read with {@link #parse(byte[])}. */
    public BytePath mountPointPath() {
        return BytePath.of(mountPoint.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The source's bytes, for a record read with {@link #parse(byte[])}. */
    public BytePath sourcePath() {
        return BytePath.of(source.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Parses every well-formed line; a malformed line is skipped (the file is the kernel's, not hostile). */
    public static List<MountInfo> parse(String text) {
        List<MountInfo> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            MountInfo mount = parseLine(line);
            if (mount != null) {
                mounts.add(mount);
            }
        }
        return mounts;
    }

    /** One mount, or null for a line without the six leading fields, the "-" separator and a type. */
    public static MountInfo parseLine(String line) {
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
        int mountId;
        int parentId;
        try {
            mountId = Integer.parseInt(fields[0]);
            parentId = Integer.parseInt(fields[1]);
        } catch (NumberFormatException e) {
            return null;
        }
        return new MountInfo(mountId, parentId, fields[2], unescape(fields[3]), unescape(fields[4]), fields[5],
                fields[separator + 1], unescape(optional(fields, separator + 2)), optional(fields, separator + 3));
    }

    private static String optional(String[] fields, int index) {
        return index < fields.length ? fields[index] : "";
    }

    /** Decodes the kernel's {@code \ooo} escapes of space, tab, newline and backslash (seq_path, "\t\n\\ "). */
    public static String unescape(String field) {
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
