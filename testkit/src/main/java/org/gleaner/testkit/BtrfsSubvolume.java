package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A btrfs filesystem in a loop-mounted image file with one subvolume (needs root and btrfs-progs):
 * a subvolume has an fsid of its own, which fanotify filesystem marks refuse (EXDEV).
 * Unmounted and removed on close.
 */
public final class BtrfsSubvolume implements AutoCloseable {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private final Path image;
    private final Path mountPoint;

    private BtrfsSubvolume(Path image, Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    public static BtrfsSubvolume create(String name) {
        Requirements.requireTool("mkfs.btrfs");
        Requirements.requireTool("btrfs");
        try {
            String unique = "gleaner-" + name + "-" + ProcessHandle.current().pid() + "-";
            Path image = Files.createTempFile(unique, ".img");
            Path mountPoint = Files.createTempDirectory(unique);
            BtrfsSubvolume btrfs = new BtrfsSubvolume(image, mountPoint);
            try {
                Cmd.run(LIMIT, "truncate", "-s", "200M", image.toString()).ok();
                Cmd.run(LIMIT, "mkfs.btrfs", "-q", image.toString()).ok();
                Cmd.run(LIMIT, "mount", "-o", "loop", image.toString(), mountPoint.toString()).ok();
                Cmd.run(LIMIT, "btrfs", "subvolume", "create", btrfs.subvolume().toString()).ok();
                Files.setPosixFilePermissions(mountPoint, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (RuntimeException | Error e) {
                btrfs.close();
                throw e;
            }
            return btrfs;
        } catch (IOException e) {
            throw new AssertionError("cannot create a btrfs image: " + e.getMessage(), e);
        }
    }

    public Path subvolume() {
        return mountPoint.resolve("sub");
    }

    @Override
    public void close() {
        Cmd.run(LIMIT, "umount", mountPoint.toString());
        try {
            Files.deleteIfExists(mountPoint);
            Files.deleteIfExists(image);
        } catch (IOException e) {
            throw new AssertionError("cannot remove " + mountPoint + " or " + image + ": " + e.getMessage(), e);
        }
    }
}
