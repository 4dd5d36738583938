package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Map;

/**
 * The libc calls of the fanotify layer made at set-up or on a cache miss: fanotify_init/fanotify_mark,
 * file handles, and the eventfd that wakes the reader thread (per-event calls are in {@link DirectLibC}). Paths cross as UTF-8. Calls that fail throw
 * {@link LastErrorException} with errno.
 */
public interface Fanotify extends Library {
    Fanotify INSTANCE = Native.load("c", Fanotify.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    int AT_FDCWD = -100;
    int AT_HANDLE_FID = 0x200;
    int MAX_HANDLE_SZ = 128;
    int O_RDONLY = 0;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int O_PATH = 0x200000;
    int O_LARGEFILE = 0x8000;
    int EFD_NONBLOCK = 0x800;
    int EFD_CLOEXEC = 0x80000;
    short POLLIN = 0x1;

    int EPERM = 1;
    int ENOENT = 2;
    int ESRCH = 3;
    int EINTR = 4;
    int EAGAIN = 11;
    int EACCES = 13;
    int EXDEV = 18;
    int ENODEV = 19;
    int ENOTDIR = 20;
    int EINVAL = 22;
    int EMFILE = 24;
    int ENOSPC = 28;
    int ENOSYS = 38;
    int EOPNOTSUPP = 95;
    int ESTALE = 116;

    int fanotify_init(int flags, int eventFileFlags) throws LastErrorException;

    /** {@code path} is NUL-terminated bytes: file names are bytes, never text in some charset. */
    int fanotify_mark(int fanotifyFd, int flags, long mask, int dirFd, byte[] path) throws LastErrorException;

    /** {@code handle} is a struct file_handle: u32 handle_bytes, s32 handle_type, then the bytes. */
    int open_by_handle_at(int mountFd, byte[] handle, int flags) throws LastErrorException;

    int name_to_handle_at(int dirFd, byte[] path, byte[] handle, int[] mountId, int flags) throws LastErrorException;

    /** {@code buffer} receives a struct statfs (120 bytes on 64-bit Linux; f_fsid at offset 56). */
    int statfs(byte[] path, byte[] buffer) throws LastErrorException;

    long readlink(String path, byte[] buffer, long size) throws LastErrorException;


    int eventfd(int initialValue, int flags) throws LastErrorException;

    long write(int fd, byte[] buffer, long count) throws LastErrorException;

}
