package org.gleaner.collectors.cgroup;

import java.util.HashSet;
import java.util.Set;
import org.gleaner.collectors.procfs.ByteFiles;
import org.gleaner.collectors.procfs.KernelFileReader;
import org.gleaner.collectors.text.BytePath;

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

    /**
     * Reads {@code dir/name} ({@code dir} the directory's path as bytes) into {@link #buffer()}; its
     * length, or -1 if absent, unreadable or too big.
     */
    int read(byte[] dir, String name) {
        return reader.read(dir, name);
    }

    /**
     * Like {@link #read} for a file only some kernels or configurations have: once it is found
     * missing from an existing cgroup directory, it is not looked for again until {@link #forgetAbsent}.
     */
    int readOptional(byte[] dir, String name) {
        if (absentInHierarchy.contains(name)) {
            return -1;
        }
        int length = read(dir, name);
        if (length < 0 && ByteFiles.isDirectory(BytePath.of(dir)) && !ByteFiles.exists(BytePath.of(dir).resolve(name))) {
            absentInHierarchy.add(name);
        }
        return length;
    }

    /** Forgets which files were absent (the mounts changed). */
    void forgetAbsent() {
        absentInHierarchy.clear();
    }
}
