package org.gleaner.collectors.procfs;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import org.gleaner.collectors.jna.ReturnCodeLibC;

/**
 * A NUL-terminated file name in a reused direct buffer, to hand to {@link ReturnCodeLibC#open} by
 * address: naming a file allocates nothing. One instance per thread.
 */
final class NativePath {
    /** PATH_MAX (linux/limits.h), the terminating NUL included: no longer path can be opened. */
    private static final int PATH_MAX = 4096;
    /** File names are encoded as the JDK encodes them when it opens a file. */
    private static final Charset PATH_CHARSET = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private final ByteBuffer bytes = ByteBuffer.allocateDirect(PATH_MAX);
    private final long address = ReturnCodeLibC.address(bytes);

    /** The address of the path last set. */
    long address() {
        return address;
    }

    /** Sets {@code path}; false if it is too long to open. */
    boolean set(String path) {
        int length = path.length();
        if (length >= PATH_MAX) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (c >= 0x80) {
                return setEncoded(path); // ASCII, as /proc paths are, is the same in every file name charset
            }
            bytes.put(i, (byte) c);
        }
        bytes.put(length, (byte) 0);
        return true;
    }

    private boolean setEncoded(String path) {
        return set(path.getBytes(PATH_CHARSET));
    }

    /** Sets the path whose bytes are {@code path}, never decoded or encoded; false if too long to open. */
    boolean set(byte[] path) {
        if (path.length >= PATH_MAX) {
            return false;
        }
        bytes.put(0, path).put(path.length, (byte) 0);
        return true;
    }

    /**
     * Sets the file {@code name} (ASCII, as the kernel's control files are named) of the directory
     * whose path is the bytes {@code directory}, never decoded or encoded; false if too long to open.
     */
    boolean set(byte[] directory, String name) {
        int length = directory.length + 1 + name.length() + 1;
        if (length > PATH_MAX) {
            return false;
        }
        bytes.put(0, directory).put(directory.length, (byte) '/');
        for (int i = 0; i < name.length(); i++) {
            bytes.put(directory.length + 1 + i, (byte) name.charAt(i));
        }
        bytes.put(length - 1, (byte) 0);
        return true;
    }
}
