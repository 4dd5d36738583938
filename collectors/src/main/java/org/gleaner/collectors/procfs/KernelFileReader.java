package org.gleaner.collectors.procfs;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.gleaner.collectors.jna.ReturnCodeLibC;

/**
 * Reads small files of /proc and of cgroup filesystems whole into one reused buffer, with
 * open/read/close and nothing else (FileInputStream also fstat()s every file and reads until a read
 * returns 0). One instance per thread.
 *
 * <p>These files are seq_files, whose read returns as much of the file as fits (fs/seq_file.c,
 * seq_read_iter), or kernfs attributes, whose read returns up to a page (fs/kernfs/file.c): a read
 * shorter than asked for and than the smallest page is the end of the file, so the read that would
 * return 0 is saved. Longer files are read on to the end.
 */
public final class KernelFileReader {
    private static final int PAGE_SIZE = 4096;
    private static final int O_RDONLY_CLOEXEC = 0x80000;

    private final int maxBytes;
    private byte[] buffer;
    private final ByteBuffer direct;
    private final long directAddress;
    private final NativePath path = new NativePath();

    /**
     * @param initialBytes the buffer to start with (it grows as needed) and the size of each read
     * @param maxBytes     a file this long or longer is not read (treated as malformed or unreadable)
     */
    public KernelFileReader(int initialBytes, int maxBytes) {
        this.maxBytes = maxBytes;
        this.buffer = new byte[initialBytes];
        this.direct = ByteBuffer.allocateDirect(initialBytes);
        this.directAddress = ReturnCodeLibC.address(direct);
    }

    /** The content of the last file read, in its first {@code length} bytes. */
    public byte[] buffer() {
        return buffer;
    }

    /** Reads {@code path} into {@link #buffer()}; its length, or -1 if absent, gone, unreadable or too big. */
    public int read(String path) {
        return this.path.set(path) ? readPath() : -1;
    }

    /**
     * Reads the file {@code name} (ASCII, as the kernel's control files are named) of the directory
     * whose path is the bytes {@code directory}, as {@link #read(String)} does: the directory's name
     * is never decoded or encoded, so any cgroup or file name can be read in any locale.
     */
    public int read(byte[] directory, String name) {
        return path.set(directory, name) ? readPath() : -1;
    }

    private int readPath() {
        int fd = ReturnCodeLibC.open(path.address(), O_RDONLY_CLOEXEC);
        if (fd < 0) {
            return -1;
        }
        try {
            int length = 0;
            while (true) {
                if (length == buffer.length) {
                    if (buffer.length >= maxBytes) {
                        return -1;
                    }
                    buffer = Arrays.copyOf(buffer, Math.min(maxBytes, buffer.length * 2));
                }
                int wanted = Math.min(buffer.length - length, direct.capacity());
                int n = (int) ReturnCodeLibC.read(fd, directAddress, wanted);
                if (n < 0) {
                    return -1; // ESRCH, ENODEV: the process or cgroup went away while read
                }
                direct.get(0, buffer, length, n);
                length += n;
                if (n == 0 || n < wanted && n < PAGE_SIZE) {
                    return length;
                }
            }
        } finally {
            ReturnCodeLibC.close(fd);
        }
    }
}
