package org.gleaner.collectors.fanotify;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A kernel file handle qualified by the filesystem id it belongs to: the identity fanotify reports
 * instead of a path in FID mode. {@code bytes} are the opaque f_handle bytes.
 */
public record FileHandle(long fsid, int type, byte[] bytes) {

    /** The fsid as statfs(2) and fanotify(7) give it: two 32-bit words, first word in the low half. */
    public static long fsid(int word0, int word1) {
        return (word0 & 0xffffffffL) | ((long) word1 << 32);
    }

    /** This handle as a struct file_handle (u32 handle_bytes, s32 handle_type, bytes) for open_by_handle_at. */
    public byte[] toStruct() {
        ByteBuffer struct = ByteBuffer.allocate(8 + bytes.length).order(ByteOrder.nativeOrder());
        struct.putInt(bytes.length).putInt(type).put(bytes);
        return struct.array();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FileHandle handle
                && handle.fsid == fsid && handle.type == type && Arrays.equals(handle.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(fsid) * 31 + type) * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) {
            hex.append(String.format("%02x", b));
        }
        return "FileHandle[fsid=" + Long.toHexString(fsid) + ", type=" + type + ", " + hex + "]";
    }
}
