package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;

/**
 * File-system calls that take and return names as raw bytes, for walking trees whose names need
 * not be UTF-8 (Java's Path cannot hold them faithfully), and for reading files past the page
 * cache. Bound by JNA direct mapping; calls that fail throw {@link LastErrorException} with errno.
 * Paths are NUL-terminated byte arrays.
 */
public final class FileCalls {
    static {
        Native.register(FileCalls.class, NativeLibrary.getInstance("c"));
    }

    public static final int AT_FDCWD = -100;
    public static final int O_RDONLY = 0;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_NOATIME = 0x40000;
    /** asm-generic and x86 values; arm and arm64 swap O_DIRECTORY/O_NOFOLLOW and move O_DIRECT (fcntl.h). */
    public static final int O_DIRECTORY = Platform.isARM() ? 0x4000 : 0x10000;
    public static final int O_NOFOLLOW = Platform.isARM() ? 0x8000 : 0x20000;
    public static final int O_DIRECT = Platform.isARM() ? 0x10000 : 0x4000;

    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_NO_AUTOMOUNT = 0x800;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int STATX_BASIC_STATS = 0x7ff;
    /** struct statx is 256 bytes on every architecture (statx(2)). */
    public static final int STATX_SIZE = 256;

    public static final int POSIX_FADV_DONTNEED = 4;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ELOOP = 40;

    private FileCalls() {}

    public static native int openat(int dirfd, byte[] path, int flags, int mode) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int statx(int dirfd, byte[] path, int flags, int mask, ByteBuffer statx) throws LastErrorException;

    /** Fills {@code buffer} with struct linux_dirent64 records (getdents64(2)); 0 at the end. */
    public static native long getdents64(int fd, ByteBuffer buffer, long count) throws LastErrorException;

    /** Reads into {@code buffer} from its start (JNA passes a direct buffer's base address). */
    public static native long read(int fd, ByteBuffer buffer, long count) throws LastErrorException;

    /** Returns the error number instead of setting errno (posix_fadvise(2)). */
    public static native int posix_fadvise(int fd, long offset, long length, int advice);

    /** ioprio_set(2), which glibc does not wrap. */
    public interface IoPriority extends Library {
        IoPriority INSTANCE = Native.load("c", IoPriority.class);

        long SYS_IOPRIO_SET = Platform.isARM() ? 30 : 251;
        int IOPRIO_WHO_PROCESS = 1;
        int IOPRIO_CLASS_SHIFT = 13;
        int IOPRIO_CLASS_BE = 2;
        int IOPRIO_CLASS_IDLE = 3;

        long syscall(long number, Object... args) throws LastErrorException;
    }
}
