package org.gleaner.collectors.fanotify;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.procfs.ByteFiles;
import org.gleaner.collectors.text.BytePath;

/** The fanotify layer's system calls, with errno turned into {@link FanotifyException}. */
final class Syscalls {
    private static final Fanotify API = Fanotify.INSTANCE;
    private static final int STATFS_LENGTH = 120;
    private static final int STATFS_FSID_OFFSET = 56;

    private static volatile boolean handleFidSupported = true;

    private Syscalls() {}

    /** The file handle of {@code path} as fanotify reports it (AT_HANDLE_FID where the kernel has it, 6.5+). */
    static FileHandle handleOf(BytePath path) {
        byte[] name = path.cString();
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

    static long fsidOf(BytePath path) {
        byte[] statfs = new byte[STATFS_LENGTH];
        try {
            API.statfs(path.cString(), statfs);
        } catch (LastErrorException e) {
            throw FanotifyException.markFailed(path, e.getErrorCode());
        }
        ByteBuffer view = ByteBuffer.wrap(statfs).order(ByteOrder.nativeOrder());
        return FileHandle.fsid(view.getInt(STATFS_FSID_OFFSET), view.getInt(STATFS_FSID_OFFSET + 4));
    }

    static void closeQuietly(int fd) {
        ByteFiles.closeQuietly(fd);
    }
}
