package org.gleaner.collectors.bitrot;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gleaner.collectors.jna.FileCalls;
import org.gleaner.collectors.jna.LibC;

/** Byte-faithful file-system access: names go to the kernel and come back as raw bytes. */
final class RawFiles {
    private static final byte[] EMPTY = {0};
    private static final int DIRENT_BUFFER = 64 << 10;

    private final ByteBuffer statx = ByteBuffer.allocateDirect(FileCalls.STATX_SIZE);
    private final ByteBuffer dirents = ByteBuffer.allocateDirect(DIRENT_BUFFER).order(ByteOrder.nativeOrder());

    /** A directory entry: its name and, for what getdents reports as a file or directory, nothing else yet. */
    record Entry(byte[] name, int type) {
        static final int DT_UNKNOWN = 0;
        static final int DT_DIR = 4;
        static final int DT_REG = 8;
    }

    static byte[] terminated(byte[] path) {
        return Arrays.copyOf(path, path.length + 1);
    }

    static String errorText(LastErrorException e) {
        return LibC.INSTANCE.strerror(e.getErrorCode());
    }

    /** Opens a directory without following a symbolic link in its last component. */
    int openDirectory(int parent, byte[] name) throws LastErrorException {
        return FileCalls.openat(parent, terminated(name),
                FileCalls.O_RDONLY | FileCalls.O_DIRECTORY | FileCalls.O_NOFOLLOW | FileCalls.O_CLOEXEC | FileCalls.O_NONBLOCK, 0);
    }

    FileStat stat(int parent, byte[] name) throws LastErrorException {
        FileCalls.statx(parent, terminated(name), FileCalls.AT_SYMLINK_NOFOLLOW | FileCalls.AT_NO_AUTOMOUNT,
                FileCalls.STATX_BASIC_STATS, statx);
        return FileStat.fromStatx(statx);
    }

    FileStat stat(int fd) throws LastErrorException {
        FileCalls.statx(fd, EMPTY, FileCalls.AT_EMPTY_PATH, FileCalls.STATX_BASIC_STATS, statx);
        return FileStat.fromStatx(statx);
    }

    /** Every entry but "." and "..", in the order getdents64(2) gives them. */
    List<Entry> list(int fd) throws LastErrorException {
        List<Entry> entries = new ArrayList<>();
        while (true) {
            long filled = FileCalls.getdents64(fd, dirents, DIRENT_BUFFER);
            if (filled == 0) {
                return entries;
            }
            // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[]
            int at = 0;
            while (at < filled) {
                int length = dirents.getShort(at + 16) & 0xffff;
                int type = dirents.get(at + 18) & 0xff;
                int nameStart = at + 19;
                int nameEnd = nameStart;
                while (nameEnd < at + length && dirents.get(nameEnd) != 0) {
                    nameEnd++;
                }
                byte[] name = new byte[nameEnd - nameStart];
                dirents.get(nameStart, name);
                if (!(name.length == 1 && name[0] == '.' || name.length == 2 && name[0] == '.' && name[1] == '.')) {
                    entries.add(new Entry(name, type));
                }
                at += length;
            }
        }
    }

    static void close(int fd) {
        try {
            FileCalls.close(fd);
        } catch (LastErrorException ignored) {
            // a read-only descriptor: nothing can be lost
        }
    }
}
