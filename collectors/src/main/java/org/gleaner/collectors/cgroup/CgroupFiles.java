package org.gleaner.collectors.cgroup;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads small kernel files whole into one reused buffer. A file that is missing or vanishes while
 * read (its cgroup was removed) reads as absent, never as an error. Files that a hierarchy does not
 * have at all (bfq files without bfq, memsw without swap accounting) are remembered, so they are
 * not looked up again in every cgroup of every cycle.
 */
final class CgroupFiles {
    /** Larger than any cgroup stat file; a bigger file is treated as malformed. */
    static final int MAX_FILE = 1 << 20;

    private byte[] buffer = new byte[16 * 1024];
    private final Set<String> absentInHierarchy = new HashSet<>();

    byte[] buffer() {
        return buffer;
    }

    /** Reads {@code dir/name} into {@link #buffer()}; its length, or -1 if absent, unreadable or too big. */
    int read(String dir, String name) {
        String path = dir + "/" + name;
        try (FileInputStream in = new FileInputStream(path)) {
            int length = 0;
            while (true) {
                if (length == buffer.length) {
                    if (buffer.length >= MAX_FILE) {
                        return -1;
                    }
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    return length;
                }
                length += n;
            }
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Like {@link #read} for a file only some kernels or configurations have: once it is found
     * missing from an existing cgroup directory, it is not looked for again until {@link #forgetAbsent}.
     */
    int readOptional(String dir, String name) {
        if (absentInHierarchy.contains(name)) {
            return -1;
        }
        int length = read(dir, name);
        if (length < 0 && new File(dir).isDirectory() && !new File(dir, name).exists()) {
            absentInHierarchy.add(name);
        }
        return length;
    }

    /** Forgets which files were absent (the mounts changed). */
    void forgetAbsent() {
        absentInHierarchy.clear();
    }
}
