package org.gleaner.agent.filewatch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gleaner.collectors.jna.DirectLibC;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.jna.Fifos;

/**
 * Notices at once when the reader of our standard output goes away, instead of at the next write: a
 * pipe's write end reports POLLERR once no reader is left (pipe(7)), a socket's POLLHUP, and poll(2)
 * reports both even when no event was asked for. Only pipes and sockets are watched.
 */
public final class ReaderWatch {

    private ReaderWatch() {}

    /** Starts a daemon thread that runs {@code readerGone} when fd 1's reader closes; false if fd 1 is not a pipe. */
    public static boolean start(Runnable readerGone) {
        int type;
        try {
            type = FileTypes.typeOf(Files.getAttribute(Path.of("/proc/self/fd/1"), "unix:mode"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
        if (type != FileTypes.S_IFIFO && type != FileTypes.S_IFSOCK) {
            return false;
        }
        Thread thread = new Thread(() -> {
            try (Memory pollFd = new Memory(8)) {
                pollFd.setInt(0, 1);
                pollFd.setShort(4, (short) 0);
                while (true) {
                    pollFd.setShort(6, (short) 0);
                    try {
                        DirectLibC.poll(pollFd, 1, -1);
                    } catch (LastErrorException e) {
                        if (e.getErrorCode() == Fanotify.EINTR) {
                            continue;
                        }
                        return;
                    }
                    if ((pollFd.getShort(6) & (Fifos.POLLERR | Fifos.POLLHUP)) != 0) {
                        readerGone.run();
                        return;
                    }
                }
            }
        }, "stdout-reader-watch");
        thread.setDaemon(true);
        thread.start();
        return true;
    }
}
