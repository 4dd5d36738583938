package org.gleaner.agent.filewatch;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gleaner.collectors.jna.Fifos;

/**
 * Notices at once when the reader of our standard output goes away, instead of at the next write: a
 * pipe's write end reports POLLERR once no reader is left (pipe(7)), a socket's POLLHUP, and poll(2)
 * reports both even when no event was asked for. Only pipes and sockets are watched.
 */
public final class ReaderWatch {

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;

    private ReaderWatch() {}

    /** Starts a daemon thread that runs {@code readerGone} when fd 1's reader closes; false if fd 1 is not a pipe. */
    public static boolean start(Runnable readerGone) {
        int type;
        try {
            type = (Integer) Files.getAttribute(Path.of("/proc/self/fd/1"), "unix:mode") & S_IFMT;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
        if (type != S_IFIFO && type != S_IFSOCK) {
            return false;
        }
        Thread thread = new Thread(() -> {
            ByteBuffer pollfd = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(0, 1);
            while (true) {
                byte[] fds = pollfd.array();
                try {
                    Fifos.INSTANCE.poll(fds, 1, -1);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Fifos.EINTR) {
                        continue;
                    }
                    return;
                }
                short revents = ByteBuffer.wrap(fds).order(ByteOrder.nativeOrder()).getShort(6);
                if ((revents & (Fifos.POLLERR | Fifos.POLLHUP)) != 0) {
                    readerGone.run();
                    return;
                }
            }
        }, "stdout-reader-watch");
        thread.setDaemon(true);
        thread.start();
        return true;
    }
}
