package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waits until a process has a fanotify group with at least one mark, read from /proc/PID/fdinfo
 * (see proc(5)), so a test can start its workload only once the tool under test is really watching.
 */
public final class FanotifyMarks {
    private FanotifyMarks() {}

    public static void await(ProcessHandle process, Duration limit) throws InterruptedException {
        await(process, limit, FanotifyMarks::isMark, "no fanotify mark");
    }

    /**
     * Waits until the process watches the filesystem that holds {@code path}: a tool that marks every
     * filesystem places its marks one after another, and an event on one not yet marked is never seen.
     * A filesystem mark names the superblock's device in the kernel's own encoding, major << 20 | minor
     * (include/linux/kdev_t.h), in hex.
     */
    public static void awaitFilesystem(ProcessHandle process, Path path, Duration limit) throws IOException, InterruptedException {
        long dev = (Long) Files.getAttribute(path, "unix:dev");
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        String mark = "fanotify sdev:" + Long.toHexString(major << 20 | minor) + " ";
        await(process, limit, line -> line.startsWith(mark), "no fanotify mark on the filesystem of " + path);
    }

    private static void await(ProcessHandle process, Duration limit, Predicate<String> isWanted, String failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("process " + process.pid() + " exited before it was watching");
            }
            if (hasMark(process.pid(), isWanted)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("process " + process.pid() + ": " + failure + " within " + limit);
    }

    /**
     * A mark line: "fanotify ino:..." (inode), "fanotify mnt_id:..." (mount) or "fanotify sdev:..."
     * (filesystem). The group's own line, "fanotify flags:... event-flags:...", is there before any mark.
     */
    static boolean isMark(String line) {
        return line.startsWith("fanotify ino:") || line.startsWith("fanotify mnt_id:") || line.startsWith("fanotify sdev:");
    }

    static boolean hasMark(long pid, Predicate<String> isWanted) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
            for (Path fd : fds) {
                try {
                    for (String line : Files.readAllLines(fd)) {
                        if (isWanted.test(line)) {
                            return true;
                        }
                    }
                } catch (IOException vanished) {
                    // the descriptor was closed while we looked
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
