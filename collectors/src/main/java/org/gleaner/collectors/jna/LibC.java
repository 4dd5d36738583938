package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The libc calls gleaner makes directly. Calls that fail throw {@link LastErrorException} with errno. */
public interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int close(int fd) throws LastErrorException;

    String strerror(int errnum);

    /** opendir(3) of a NUL-terminated path; null with errno set on failure. */
    Pointer opendir(byte[] path) throws LastErrorException;

    /**
     * readdir(3): the next struct dirent (glibc, 64-bit: d_ino @0, d_off @8, u16 d_reclen @16,
     * u8 d_type @18, NUL-terminated d_name @19), or null at the end. Not declared to throw: it
     * leaves errno alone at the end of the directory, and errno may hold anything from before.
     */
    Pointer readdir(Pointer directory);

    int closedir(Pointer directory) throws LastErrorException;
}
