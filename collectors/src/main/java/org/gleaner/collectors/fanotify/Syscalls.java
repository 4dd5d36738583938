package org.gleaner.collectors.fanotify;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.jna.DirectLibC;

/** The fanotify layer's system calls, with errno turned into {@link FanotifyException}. */
final class Syscalls {
    private static final Fanotify API = Fanotify.INSTANCE;
    private static final int STATFS_LENGTH = 120;
    private static final int STATFS_FSID_OFFSET = 56;
    private static final int PATH_MAX = 4096;

    private static volatile boolean handleFidSupported = true;

    private Syscalls() {}

    /** The file handle of {@code path} as fanotify reports it (AT_HANDLE_FID where the kernel has it, 6.5+). */
    static FileHandle handleOf(Path path) {
        String name = path.toString();
        byte[] struct = new byte[8 + Fanotify.MAX_HANDLE_SZ];
        ByteBuffer view = ByteBuffer.wrap(struct).order(ByteOrder.nativeOrder());
        view.putInt(0, Fanotify.MAX_HANDLE_SZ);
        int[] mountId = new int[1];
        try {
            try {
                API.name_to_handle_at(Fanotify.AT_FDCWD, name, struct, mountId,
                        handleFidSupported ? Fanotify.AT_HANDLE_FID : 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Fanotify.EINVAL || !handleFidSupported) {
                    throw e;
                }
                handleFidSupported = false;
                view.putInt(0, Fanotify.MAX_HANDLE_SZ);
                API.name_to_handle_at(Fanotify.AT_FDCWD, name, struct, mountId, 0);
            }
        } catch (LastErrorException e) {
            throw FanotifyException.markFailed(path, e.getErrorCode());
        }
        int length = view.getInt(0);
        int type = view.getInt(4);
        return new FileHandle(fsidOf(path), type, Arrays.copyOfRange(struct, 8, 8 + length));
    }

    static long fsidOf(Path path) {
        byte[] statfs = new byte[STATFS_LENGTH];
        try {
            API.statfs(path.toString(), statfs);
        } catch (LastErrorException e) {
            throw FanotifyException.markFailed(path, e.getErrorCode());
        }
        ByteBuffer view = ByteBuffer.wrap(statfs).order(ByteOrder.nativeOrder());
        return FileHandle.fsid(view.getInt(STATFS_FSID_OFFSET), view.getInt(STATFS_FSID_OFFSET + 4));
    }

    /** The target of a /proc/self/fd link, or null if it cannot be read. {@code scratch} is PATH_MAX bytes. */
    static String fdPath(int fd, byte[] scratch) {
        try {
            long length = API.readlink("/proc/self/fd/" + fd, scratch, scratch.length);
            return new String(scratch, 0, (int) length, StandardCharsets.UTF_8);
        } catch (LastErrorException e) {
            return null;
        }
    }

    static byte[] pathBuffer() {
        return new byte[PATH_MAX];
    }

    static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                DirectLibC.close(fd);
            } catch (LastErrorException ignored) {
                // nothing useful to do: the descriptor is gone either way
            }
        }
    }
}
