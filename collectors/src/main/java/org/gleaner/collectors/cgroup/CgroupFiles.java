package org.gleaner.collectors.cgroup;

import java.io.File;
import java.util.HashSet;
import java.util.Set;
import org.gleaner.collectors.procfs.KernelFileReader;

/**
 * Reads small kernel files whole into one reused buffer. A file that is missing or vanishes while
 * read (its cgroup was removed) reads as absent, never as an error. Files that a hierarchy does not
 * have at all (bfq files without bfq, memsw without swap accounting) are remembered, so they are
 * not looked up again in every cgroup of every cycle.
 */
final class CgroupFiles {
    /** Larger than any cgroup stat file; a bigger file is treated as malformed. */
    static final int MAX_FILE = 1 << 20;

    private final KernelFileReader reader = new KernelFileReader(16 * 1024, MAX_FILE);
    private final Set<String> absentInHierarchy = new HashSet<>();

    byte[] buffer() {
        return reader.buffer();
    }

    /** Reads {@code dir/name} into {@link #buffer()}; its length, or -1 if absent, unreadable or too big. */
    int read(String dir, String name) {
        return reader.read(dir + '/' + name);
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
