package org.gleaner.collectors.procfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.gleaner.collectors.jna.FileCalls;
import org.gleaner.collectors.jna.ReturnCodeLibC;

/**
 * Lists the sub-directories of a directory (symlinks not followed) with their link counts, names as
 * bytes: the directory entries tell sub-directories from files, and one statx(2) per sub-directory
 * gives its link count, which on kernfs as on other Unix file systems is 2 plus its own
 * sub-directories (kernfs_refresh_inode), so a caller walking a tree need not list its leaves.
 * One instance per thread.
 */
public final class Subdirectories {
    /** A sub-directory: the bytes of its name and its link count. */
    public record Entry(byte[] name, int links) {}

    private static final int STATX_TYPE = 0x1;
    private static final int STATX_NLINK = 0x4;
    private static final int STATX_NLINK_OFFSET = 16;
    private static final int STATX_MODE_OFFSET = 28;
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;

    private final DirectoryEntries entries = new DirectoryEntries();
    private final DirectoryEntries.Visitor collect = this::collect;
    private final ByteBuffer statx = ByteBuffer.allocateDirect(FileCalls.STATX_SIZE).order(ByteOrder.nativeOrder());
    private final long statxAddress = ReturnCodeLibC.address(statx);
    private List<Entry> found;
    private int limit;

    /**
     * The first {@code limit} sub-directories of {@code directory} (the path's bytes) in directory
     * order; if it vanishes while listed, those found before; if it is gone, none.
     */
    public List<Entry> list(byte[] directory, int limit) {
        found = new ArrayList<>();
        this.limit = limit;
        entries.forEach(directory, collect);
        return found;
    }

    private void collect(int directoryFd, int record) {
        int type = entries.type(record);
        if (found.size() == limit || type != DirectoryEntries.DT_DIR && type != DirectoryEntries.DT_UNKNOWN) {
            return;
        }
        ByteBuffer buffer = entries.buffer();
        int nameAt = DirectoryEntries.nameAt(record);
        int length = 0;
        while (buffer.get(nameAt + length) != 0) {
            length++;
        }
        if (length <= 2 && buffer.get(nameAt) == '.' && (length == 1 || buffer.get(nameAt + 1) == '.')) {
            return;
        }
        if (ReturnCodeLibC.statx(directoryFd, entries.nameAddress(record), FileCalls.AT_SYMLINK_NOFOLLOW,
                STATX_TYPE | STATX_NLINK, statxAddress) != 0) {
            return; // removed since it was listed
        }
        if ((statx.getShort(STATX_MODE_OFFSET) & S_IFMT) != S_IFDIR) {
            return;
        }
        byte[] name = new byte[length];
        buffer.get(nameAt, name);
        found.add(new Entry(name, statx.getInt(STATX_NLINK_OFFSET)));
    }
}
