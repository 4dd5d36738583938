package org.gleaner.collectors.procfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.gleaner.collectors.jna.FileCalls;
import org.gleaner.collectors.jna.ReturnCodeLibC;

/**
 * Lists the process or thread ids in a directory of /proc (/proc itself, /proc/PID/task) with open,
 * getdents64 and close into a reused buffer, reading the names as bytes: no Path and no String per
 * entry, half the cost of a DirectoryStream for a thread list. One instance per thread.
 */
public final class ProcIdListing {
    private static final int OPEN_FLAGS = FileCalls.O_RDONLY | FileCalls.O_DIRECTORY | FileCalls.O_CLOEXEC;
    private static final int BUFFER_BYTES = 32 << 10;

    private final ByteBuffer dirents = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private final long direntsAddress = ReturnCodeLibC.address(dirents);
    private final NativePath path = new NativePath();
    private int[] ids = new int[64];

    /** The ids of {@code directory}'s entries in directory order, or null if it is gone or unreadable. */
    public int[] list(String directory) {
        int fd = path.set(directory) ? ReturnCodeLibC.open(path.address(), OPEN_FLAGS) : -1;
        if (fd < 0) {
            return null;
        }
        try {
            int count = 0;
            while (true) {
                long filled = ReturnCodeLibC.getdents64(fd, direntsAddress, BUFFER_BYTES);
                if (filled < 0) {
                    return null; // ENOENT: the process exited while listed
                }
                if (filled == 0) {
                    return Arrays.copyOf(ids, count);
                }
                // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[]
                for (int at = 0; at < filled; at += dirents.getShort(at + 16) & 0xffff) {
                    int id = parseName(at + 19);
                    if (id > 0) {
                        if (count == ids.length) {
                            ids = Arrays.copyOf(ids, count * 2);
                        }
                        ids[count++] = id;
                    }
                }
            }
        } finally {
            ReturnCodeLibC.close(fd);
        }
    }

    /**
     * The id the NUL-terminated name at {@code at} stands for: one to nine decimal digits, so that
     * every id up to the kernel's PID_MAX_LIMIT (2^22) fits; -1 for any other name ("self", "sys").
     */
    private int parseName(int at) {
        int id = 0;
        int digits = 0;
        for (byte b = dirents.get(at); b != 0; b = dirents.get(at + ++digits)) {
            if (b < '0' || b > '9' || digits == 9) {
                return -1;
            }
            id = id * 10 + (b - '0');
        }
        return digits == 0 ? -1 : id;
    }
}
