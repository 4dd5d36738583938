package org.gleaner.collectors.procfs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import java.util.function.BiConsumer;
import org.gleaner.collectors.jna.DirectLibC;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.jna.Fifos;
import org.gleaner.collectors.jna.LibC;
import org.gleaner.collectors.text.BytePath;

/**
 * The file system calls gleaner makes on names that came from the kernel, with the names as bytes
 * ({@link BytePath}) from end to end: java.nio.file would encode them with the locale's charset,
 * which fails on a non-ASCII name when there is no locale (cron, a systemd unit).
 */
public final class ByteFiles {
    /** Big enough for any path the kernel returns (PATH_MAX). */
    public static final int PATH_MAX = 4096;
    private static final long DIRENT_TYPE_OFFSET = 18;
    private static final long DIRENT_NAME_OFFSET = 19;
    private static final int DT_UNKNOWN = 0;
    private static final int DT_DIR = 4;

    private ByteFiles() {}

    /** The target of a /proc/self/fd link, or null if it cannot be read. {@code scratch} is PATH_MAX bytes. */
    public static BytePath fdPath(int fd, byte[] scratch) {
        try {
            long length = Fanotify.INSTANCE.readlink("/proc/self/fd/" + fd, scratch, scratch.length);
            return BytePath.of(scratch, 0, (int) length);
        } catch (LastErrorException e) {
            return null;
        }
    }

    /** The canonical absolute path of {@code path} (symlinks followed), as the kernel names it. */
    public static BytePath realPath(BytePath path) throws LastErrorException {
        int fd = DirectLibC.open(path.cString(), Fanotify.O_PATH | Fanotify.O_CLOEXEC);
        try {
            BytePath real = fdPath(fd, new byte[PATH_MAX]);
            if (real == null) {
                throw new LastErrorException(Fanotify.ENOENT);
            }
            return real;
        } finally {
            closeQuietly(fd);
        }
    }

    /** Whether a directory entry exists at {@code path} (a symlink counts, wherever it points). */
    public static boolean exists(BytePath path) {
        try {
            closeQuietly(DirectLibC.open(path.cString(), Fanotify.O_PATH | Fifos.O_NOFOLLOW | Fanotify.O_CLOEXEC));
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /**
     * Passes each entry of {@code directory} (but "." and "..") to {@code entry} with whether it is
     * a directory (not following symlinks), names as bytes.
     *
     * @throws LastErrorException if the directory cannot be opened (ENOENT, ENOTDIR, EACCES...)
     */
    public static void list(BytePath directory, BiConsumer<BytePath, Boolean> entry) throws LastErrorException {
        Pointer dir = LibC.INSTANCE.opendir(directory.cString());
        try {
            for (Pointer dirent = LibC.INSTANCE.readdir(dir); dirent != null; dirent = LibC.INSTANCE.readdir(dir)) {
                byte[] name = nulTerminated(dirent, DIRENT_NAME_OFFSET);
                if (name.length == 1 && name[0] == '.' || name.length == 2 && name[0] == '.' && name[1] == '.') {
                    continue;
                }
                BytePath path = directory.resolve(name);
                int type = dirent.getByte(DIRENT_TYPE_OFFSET);
                entry.accept(path, type == DT_UNKNOWN ? isDirectory(path) : type == DT_DIR);
            }
        } finally {
            LibC.INSTANCE.closedir(dir);
        }
    }

    /** Whether {@code path} is a directory (not a symlink to one). */
    public static boolean isDirectory(BytePath path) {
        try {
            closeQuietly(DirectLibC.open(path.cString(), Fanotify.O_RDONLY | Fifos.O_DIRECTORY | Fifos.O_NOFOLLOW
                    | Fanotify.O_CLOEXEC | Fanotify.O_NONBLOCK));
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    private static byte[] nulTerminated(Pointer memory, long offset) {
        int length = 0;
        while (memory.getByte(offset + length) != 0) {
            length++;
        }
        return memory.getByteArray(offset, length);
    }

    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                DirectLibC.close(fd);
            } catch (LastErrorException ignored) {
                // nothing useful to do: the descriptor is gone either way
            }
        }
    }
}
