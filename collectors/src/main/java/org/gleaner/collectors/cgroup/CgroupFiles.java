package org.gleaner.collectors.cgroup;

import com.sun.jna.LastErrorException;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.gleaner.collectors.jna.DirectLibC;

/**
 * Reads small kernel files whole into one reused buffer. A file that is missing or vanishes while
 * read (its cgroup was removed) reads as absent, never as an error. Files that a hierarchy does not
 * have at all (bfq files without bfq, memsw without swap accounting) are remembered, so they are
 * not looked up again in every cgroup of every cycle.
 */
final class CgroupFiles {
    /** Larger than any cgroup stat file; a bigger file is treated as malformed. */
    static final int MAX_FILE = 1 << 20;

    /**
     * Every cgroup file is a seq_file, whose read returns as much of the file as fits
     * (fs/seq_file.c, seq_read_iter), or a kernfs attribute, whose read returns up to a page
     * (fs/kernfs/file.c): a read shorter than asked for and than the smallest page is the end of
     * the file, and the read that would return 0 is saved. Bigger files are read on to the end.
     */
    private static final int PAGE_SIZE = 4096;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    /** File names are encoded as the JDK encodes them when it opens a file. */
    private static final Charset PATH_CHARSET = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private byte[] buffer = new byte[16 * 1024];
    private final ByteBuffer direct = ByteBuffer.allocateDirect(16 * 1024);
    private final Set<String> absentInHierarchy = new HashSet<>();

    byte[] buffer() {
        return buffer;
    }

    /** Reads {@code dir/name} into {@link #buffer()}; its length, or -1 if absent, unreadable or too big. */
    int read(String dir, String name) {
        int fd;
        try {
            fd = DirectLibC.open((dir + '/' + name + '\0').getBytes(PATH_CHARSET), O_RDONLY_CLOEXEC);
        } catch (LastErrorException absent) {
            return -1;
        }
        try {
            int length = 0;
            while (true) {
                if (length == buffer.length) {
                    if (buffer.length >= MAX_FILE) {
                        return -1;
                    }
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                int wanted = Math.min(buffer.length - length, direct.capacity());
                int n = (int) DirectLibC.read(fd, direct, wanted);
                direct.get(0, buffer, length, n);
                length += n;
                if (n == 0 || n < wanted && n < PAGE_SIZE) {
                    return length;
                }
            }
        } catch (LastErrorException vanished) {
            return -1;
        } finally {
            DirectLibC.close(fd);
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
