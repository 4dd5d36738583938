package org.gleaner.collectors.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * open, read, getdents64, statx and close reporting failure only by their return value (-1, the error in
 * {@link Native#getLastError()}), direct-mapped like {@link DirectLibC}: for files of /proc whose
 * process or thread can vanish at any moment, where failing is common (every task exit read after
 * its release) and a {@link com.sun.jna.LastErrorException} — a stack trace and a formatted
 * message each — would cost more than the three calls themselves. Buffers and paths are passed as
 * the addresses of direct buffers ({@link #address}): JNA copies a byte[] argument in and out
 * and asks a ByteBuffer argument for its position through a call back into Java, each costing
 * more than the call itself.
 */
public final class ReturnCodeLibC {
    static {
        Native.register(ReturnCodeLibC.class, NativeLibrary.getInstance("c"));
    }

    private ReturnCodeLibC() {}

    /** The address of the first byte of a direct buffer, to pass to these calls while it is reachable. */
    public static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** {@code path} is the address of a NUL-terminated path. */
    public static native int open(long path, int flags);

    public static native long read(int fd, long buffer, long count);

    public static native int close(int fd);

    /** Fills {@code buffer} with struct linux_dirent64 records (getdents64(2)); 0 at the end, -1 on failure. */
    public static native long getdents64(int fd, long buffer, long count);

    /** statx(2) of the NUL-terminated name at {@code path} relative to {@code dirfd}, into struct statx at {@code buffer}. */
    public static native int statx(int dirfd, long path, int flags, int mask, long buffer);
}
