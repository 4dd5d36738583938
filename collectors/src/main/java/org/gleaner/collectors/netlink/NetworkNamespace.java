package org.gleaner.collectors.netlink;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.gleaner.collectors.jna.DirectLibC;
import org.gleaner.collectors.jna.NetlinkSockets;

/**
 * Runs code inside another network namespace. setns(2) moves only the calling thread, so a
 * short-lived thread enters the namespace, runs the code and ends: sockets it creates stay in that
 * namespace for their whole life, and files it opens under /proc/sys/net are that namespace's.
 */
public final class NetworkNamespace {
    private static final int O_RDONLY_CLOEXEC = 0x80000;

    private NetworkNamespace() {}

    /** Runs {@code task} in the namespace {@code namespace} (/run/netns/NAME, /proc/PID/ns/net), or here if it is null. */
    public static <T> T call(Path namespace, Callable<T> task) throws IOException {
        if (namespace == null) {
            return unwrap(task);
        }
        FutureTask<T> future = new FutureTask<>(() -> {
            int fd;
            try {
                fd = DirectLibC.open((namespace + "\0").getBytes(StandardCharsets.UTF_8), O_RDONLY_CLOEXEC);
            } catch (LastErrorException e) {
                throw new IOException("cannot open the network namespace " + namespace + ": " + NetlinkSocket.strerror(e.getErrorCode()));
            }
            try {
                NetlinkSockets.setns(fd, NetlinkSockets.CLONE_NEWNET);
            } catch (LastErrorException e) {
                throw new IOException("cannot enter the network namespace " + namespace + ": "
                        + NetlinkSocket.strerror(e.getErrorCode()) + " (needs CAP_SYS_ADMIN)");
            } finally {
                DirectLibC.close(fd);
            }
            return task.call();
        });
        Thread thread = new Thread(future, "gleaner-netns");
        thread.setDaemon(true);
        thread.start();
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted in the network namespace " + namespace, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("failed in the network namespace " + namespace + ": " + e.getCause(), e.getCause());
        }
    }

    private static <T> T unwrap(Callable<T> task) throws IOException {
        try {
            return task.call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
