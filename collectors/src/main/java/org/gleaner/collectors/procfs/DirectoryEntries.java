package org.gleaner.collectors.procfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.gleaner.collectors.jna.FileCalls;
import org.gleaner.collectors.jna.ReturnCodeLibC;

/**
 * Reads the entries of a directory with open, getdents64(2) and close into one reused buffer, where
 * each entry is looked at in place (struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen,
 * u8 d_type, then the NUL-terminated name): no Path and no String per entry. One instance per thread.
 */
final class DirectoryEntries {
    static final int DT_UNKNOWN = 0;
    static final int DT_DIR = 4;
    private static final int OPEN_FLAGS = FileCalls.O_RDONLY | FileCalls.O_DIRECTORY | FileCalls.O_CLOEXEC;
    private static final int BUFFER_BYTES = 32 << 10;
    private static final int TYPE_OFFSET = 18;
    private static final int NAME_OFFSET = 19;

    /** Takes one entry: the directory's descriptor, and where its record starts in {@link #buffer()}. */
    interface Visitor {
        void entry(int directoryFd, int record);
    }

    private final ByteBuffer dirents = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private final long address = ReturnCodeLibC.address(dirents);
    private final NativePath path = new NativePath();

    ByteBuffer buffer() {
        return dirents;
    }

    /** Where the NUL-terminated name of the entry at {@code record} starts in {@link #buffer()}. */
    static int nameAt(int record) {
        return record + NAME_OFFSET;
    }

    /** The address of the NUL-terminated name of the entry at {@code record}, for calls relative to the directory. */
    long nameAddress(int record) {
        return address + nameAt(record);
    }

    /** The entry's d_type (DT_UNKNOWN where the file system does not tell). */
    int type(int record) {
        return dirents.get(record + TYPE_OFFSET) & 0xff;
    }

    /** Visits every entry of {@code directory} ("." and ".." too); false if it cannot be opened or read (gone). */
    boolean forEach(String directory, Visitor visitor) {
        return path.set(directory) && forEachOfPath(visitor);
    }

    /** {@link #forEach(String, Visitor)} for a directory named by its bytes. */
    boolean forEach(byte[] directory, Visitor visitor) {
        return path.set(directory) && forEachOfPath(visitor);
    }

    private boolean forEachOfPath(Visitor visitor) {
        int fd = ReturnCodeLibC.open(path.address(), OPEN_FLAGS);
        if (fd < 0) {
            return false;
        }
        try {
            while (true) {
                long filled = ReturnCodeLibC.getdents64(fd, address, BUFFER_BYTES);
                if (filled < 0) {
                    return false; // ENOENT: the process exited, or the cgroup was removed, while listed
                }
                if (filled == 0) {
                    return true;
                }
                for (int record = 0; record < filled; record += dirents.getShort(record + 16) & 0xffff) {
                    visitor.entry(fd, record);
                }
            }
        } finally {
            ReturnCodeLibC.close(fd);
        }
    }
}
