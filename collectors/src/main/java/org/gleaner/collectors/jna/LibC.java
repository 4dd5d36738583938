package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The libc calls gleaner makes directly. Calls that fail throw {@link LastErrorException} with errno. */
public interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int close(int fd) throws LastErrorException;

    String strerror(int errnum);
}
