package org.gleaner.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ext4 filesystem with 4 KiB blocks in an image file, loop-mounted on a fresh directory (needs
 * root), for real corruption: a byte flipped in the image beneath a file's data leaves the file's
 * size, times and inode as they were. Unmounted and removed on close.
 */
public final class Ext4Image implements AutoCloseable {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final int BLOCK = 4096;
    /** filefrag -v: "   0:        0..     511:      34816..     35327:    512:   last,eof" */
    private static final Pattern EXTENT = Pattern.compile("^\\s*\\d+:\\s*(\\d+)\\.\\.\\s*(\\d+):\\s*(\\d+)\\.\\.");

    private final Path dir;
    private final Path image;
    private final Path mountPoint;
    private boolean mounted;

    private Ext4Image(Path dir) {
        this.dir = dir;
        this.image = dir.resolve("ext4.img");
        this.mountPoint = dir.resolve("mnt");
    }

    public static Ext4Image create(String name, int megabytes) {
        Requirements.requireTool("mkfs.ext4");
        Requirements.requireTool("filefrag");
        try {
            Ext4Image fs = new Ext4Image(Files.createTempDirectory("gleaner-" + name + "-"));
            Files.createDirectory(fs.mountPoint);
            try (RandomAccessFile file = new RandomAccessFile(fs.image.toFile(), "rw")) {
                file.setLength((long) megabytes << 20);
            }
            Cmd.run(LIMIT, "mkfs.ext4", "-q", "-F", "-b", Integer.toString(BLOCK), fs.image.toString()).ok();
            fs.mount();
            return fs;
        } catch (IOException e) {
            throw new AssertionError("cannot make an ext4 image: " + e.getMessage(), e);
        }
    }

    public Path mountPoint() {
        return mountPoint;
    }

    public void mount() {
        Cmd.run(LIMIT, "mount", "-o", "loop", image.toString(), mountPoint.toString()).ok();
        mounted = true;
    }

    /** Retries for a few seconds while the mount is busy (a process of the machine may briefly hold it). */
    public void unmount() {
        Cmd.Result result = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            result = Cmd.run(LIMIT, "umount", mountPoint.toString());
            if (result.exit() == 0) {
                mounted = false;
                return;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        result.ok();
    }

    /** Where byte {@code offset} of {@code file} lies in the image (from filefrag -v; the fs must be mounted). */
    public long imageOffset(Path file, long offset) {
        Cmd.run(LIMIT, "sync").ok();
        String extents = Cmd.run(LIMIT, "filefrag", "-v", file.toString()).ok().stdout();
        long block = offset / BLOCK;
        for (String line : extents.split("\n")) {
            Matcher extent = EXTENT.matcher(line);
            if (extent.find() && block >= Long.parseLong(extent.group(1)) && block <= Long.parseLong(extent.group(2))) {
                long physical = Long.parseLong(extent.group(3)) + block - Long.parseLong(extent.group(1));
                return physical * BLOCK + offset % BLOCK;
            }
        }
        throw new AssertionError("offset " + offset + " of " + file + " is in no extent:\n" + extents);
    }

    /** Inverts one byte of the image, beneath whatever the filesystem or its page cache holds. */
    public void flipByte(long imageOffset) {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.seek(imageOffset);
            int value = file.read();
            file.seek(imageOffset);
            file.write(value ^ 0xff);
            file.getFD().sync();
        } catch (IOException e) {
            throw new AssertionError("cannot change " + image + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        if (mounted) {
            Cmd.run(LIMIT, "umount", "-l", mountPoint.toString());
        }
        TempTrees.delete(dir);
    }
}
