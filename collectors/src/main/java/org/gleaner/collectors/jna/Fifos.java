package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Map;

/**
 * Creating a named pipe safely: mkfifo(3), and the open(2) and poll(2) constants that go with it (open and
 * poll are declared in {@link DirectLibC}). Paths cross as UTF-8.
 */
public interface Fifos extends Library {
    Fifos INSTANCE = Native.load("c", Fifos.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    /** asm-generic and x86 use 0400000; arm and arm64 swap it with O_DIRECTORY (fcntl.h). */
    int O_NOFOLLOW = Platform.isARM() ? 0x8000 : 0x20000;
    int O_DIRECTORY = Platform.isARM() ? 0x4000 : 0x10000;

    int EEXIST = 17;
    int ELOOP = 40;

    short POLLERR = 0x8;
    short POLLHUP = 0x10;

    int mkfifo(String path, int mode) throws LastErrorException;
}
