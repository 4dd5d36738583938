package org.gleaner.collectors.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.nio.ByteBuffer;

/**
 * open, read, getdents64 and close reporting failure only by their return value (-1, the error in
 * {@link Native#getLastError()}), direct-mapped like {@link DirectLibC}: for files of /proc whose
 * process or thread can vanish at any moment, where failing is common (every task exit read after
 * its release) and a {@link com.sun.jna.LastErrorException} — a stack trace and a formatted
 * message each — would cost more than the three calls themselves.
 */
public final class ReturnCodeLibC {
    static {
        Native.register(ReturnCodeLibC.class, NativeLibrary.getInstance("c"));
    }

    private ReturnCodeLibC() {}

    /** {@code path} is NUL-terminated. */
    public static native int open(byte[] path, int flags);

    public static native long read(int fd, ByteBuffer buffer, long count);

    public static native int close(int fd);

    /** Fills {@code buffer} with struct linux_dirent64 records (getdents64(2)); 0 at the end, -1 on failure. */
    public static native long getdents64(int fd, ByteBuffer buffer, long count);
}
