package org.gleaner.collectors.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * libc calls for creating and opening a named pipe safely and for watching a pipe's far end:
 * mkfifo(3), open(2) with flags Java cannot pass (O_NOFOLLOW, O_NONBLOCK), poll(2).
 */
public interface Fifos extends Library {
    Fifos INSTANCE = Native.load("c", Fifos.class);

    int O_RDONLY = 0;
    int O_NONBLOCK = 0x800;
    /** asm-generic and x86 use 0400000; arm and arm64 swap it with O_DIRECTORY (open(2), fcntl.h). */
    int O_NOFOLLOW = Platform.isARM() ? 0x8000 : 0x20000;
    int O_CLOEXEC = 0x80000;

    int EINTR = 4;
    int EEXIST = 17;
    int ELOOP = 40;

    short POLLERR = 0x8;
    short POLLHUP = 0x10;

    int mkfifo(String path, int mode) throws LastErrorException;

    int open(String path, int flags) throws LastErrorException;

    /** {@code fds} is an array of struct pollfd {int fd; short events; short revents;}, 8 bytes each. */
    int poll(byte[] fds, long count, int timeoutMillis) throws LastErrorException;
}
