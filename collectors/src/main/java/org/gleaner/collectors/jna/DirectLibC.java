package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * The libc calls made once per event or per read, bound by JNA direct mapping: a static native
 * method costs about a microsecond where an interface (proxy) call costs tens while the JIT has not
 * compiled the proxy path yet, which for a quiet event stream is a long time. Calls that fail throw
 * {@link LastErrorException} with errno.
 */
public final class DirectLibC {
    static {
        Native.register(DirectLibC.class, NativeLibrary.getInstance("c"));
    }

    private DirectLibC() {}

    public static native long read(int fd, ByteBuffer buffer, long count) throws LastErrorException;

    /** {@code fds} holds struct pollfd entries of 8 bytes: s32 fd, s16 events, s16 revents. */
    public static native int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

    /** {@code path} is NUL-terminated. */
    public static native int open(byte[] path, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;
}
