package org.gleaner.collectors.bitrot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** What the scrubber records of a file besides its content: statx(2) fields, times in nanoseconds. */
public record FileStat(long device, long inode, int mode, long links, long size, long mtimeNanos, long ctimeNanos) {
    private static final int S_IFMT = 0xf000;
    private static final int S_IFREG = 0x8000;
    private static final int S_IFDIR = 0x4000;

    /** Reads a struct statx (offsets from linux/stat.h, the same on every architecture). */
    static FileStat fromStatx(ByteBuffer statx) {
        ByteBuffer in = statx.duplicate().order(ByteOrder.nativeOrder());
        long links = in.getInt(16) & 0xffffffffL;
        int mode = in.getShort(28) & 0xffff;
        long inode = in.getLong(32);
        long size = in.getLong(40);
        long ctime = in.getLong(96) * 1_000_000_000L + (in.getInt(104) & 0xffffffffL);
        long mtime = in.getLong(112) * 1_000_000_000L + (in.getInt(120) & 0xffffffffL);
        long device = (in.getInt(136) & 0xffffffffL) << 32 | in.getInt(140) & 0xffffffffL;
        return new FileStat(device, inode, mode, links, size, mtime, ctime);
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    /** Same file, same size, same times: nothing marks a change since the other snapshot. */
    public boolean sameSnapshot(FileStat other) {
        return device == other.device && inode == other.inode && size == other.size
                && mtimeNanos == other.mtimeNanos && ctimeNanos == other.ctimeNanos;
    }
}
