package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Waits until a process has a fanotify group with at least one mark, read from /proc/PID/fdinfo
 * (see proc(5)), so a test can start its workload only once the tool under test is really watching.
 */
public final class FanotifyMarks {
    private FanotifyMarks() {}

    public static void await(ProcessHandle process, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("process " + process.pid() + " exited before it was watching");
            }
            // A launcher may run the JVM as its child rather than exec it (bin/launcher.sh does on the
            // run that records the class-data archive, the first after each build): look there too.
            if (hasMarks(process.pid()) || process.descendants().anyMatch(child -> hasMarks(child.pid()))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("process " + process.pid() + " placed no fanotify mark within " + limit);
    }

    /**
     * A mark line: "fanotify ino:..." (inode), "fanotify mnt_id:..." (mount) or "fanotify sdev:..."
     * (filesystem). The group's own line, "fanotify flags:... event-flags:...", is there before any mark.
     */
    static boolean isMark(String line) {
        return line.startsWith("fanotify ino:") || line.startsWith("fanotify mnt_id:") || line.startsWith("fanotify sdev:");
    }

    static boolean hasMarks(long pid) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
            for (Path fd : fds) {
                try {
                    for (String line : Files.readAllLines(fd)) {
                        if (isMark(line)) {
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
