package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A private tmpfs mounted on a fresh directory under /tmp (needs root), so that a test can mark a
 * whole filesystem without seeing the rest of the machine. Unmounted and removed on close.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    public static Tmpfs mount(String name) {
        return mount(name, 64);
    }

    public static Tmpfs mount(String name, int megabytes) {
        try {
            Path dir = Files.createTempDirectory("gleaner-" + name + "-" + ProcessHandle.current().pid() + "-");
            Cmd.Result result = Cmd.run(Duration.ofSeconds(10), "mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0755", "tmpfs",
                    dir.toString());
            if (result.exit() != 0) {
                Files.deleteIfExists(dir);
                throw new AssertionError("cannot mount a tmpfs on " + dir + ": " + result.stderr());
            }
            return new Tmpfs(dir);
        } catch (IOException e) {
            throw new AssertionError("cannot create a mount point: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return mountPoint;
    }

    @Override
    public void close() {
        Cmd.run(Duration.ofSeconds(10), "umount", "-l", mountPoint.toString());
        try {
            Files.deleteIfExists(mountPoint);
        } catch (IOException e) {
            throw new AssertionError("cannot remove " + mountPoint + ": " + e.getMessage(), e);
        }
    }
}
