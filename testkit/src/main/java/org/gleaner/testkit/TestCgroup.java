package org.gleaner.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cgroup a test makes for itself (name it with the test's pid), found under the hierarchy that
 * /proc/self/mountinfo shows, and removed on close: its processes are moved to the hierarchy's root
 * first. Needs root.
 */
public final class TestCgroup implements AutoCloseable {
    private final Path hierarchyRoot;
    private final Path dir;

    private TestCgroup(Path hierarchyRoot, String name) throws IOException {
        this.hierarchyRoot = hierarchyRoot;
        this.dir = hierarchyRoot.resolve(name);
        Files.createDirectory(dir);
    }

    /** In the v1 hierarchy holding {@code controller}; skips (or fails, strictly) if there is none. */
    public static TestCgroup v1(String controller, String name) throws IOException {
        Path mount = mountPoint("cgroup", controller);
        Requirements.require(mount != null, "no cgroup v1 " + controller + " hierarchy is mounted");
        return new TestCgroup(mount, name);
    }

    /** In the cgroup2 hierarchy; skips (or fails, strictly) if there is none. */
    public static TestCgroup unified(String name) throws IOException {
        Path mount = mountPoint("cgroup2", null);
        Requirements.require(mount != null, "no cgroup2 hierarchy is mounted");
        return new TestCgroup(mount, name);
    }

    public Path dir() {
        return dir;
    }

    /** Shell code that moves the running shell into this cgroup; follow it with {@code && exec ...}. */
    public String shellEnter() {
        return "echo $$ > '" + dir.resolve("cgroup.procs") + "'";
    }

    private static Path mountPoint(String fsType, String controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ");
            int dash = java.util.Arrays.asList(fields).indexOf("-");
            if (dash < 0 || dash + 3 >= fields.length || !fields[dash + 1].equals(fsType) || !fields[3].equals("/")) {
                continue;
            }
            if (controller == null || java.util.Arrays.asList(fields[dash + 3].split(",")).contains(controller)) {
                return Path.of(fields[4].replace("\\040", " "));
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                try {
                    Files.writeString(hierarchyRoot.resolve("cgroup.procs"), pid);
                } catch (IOException exited) {
                    // it exited meanwhile
                }
            }
            try {
                Files.delete(dir);
                return;
            } catch (IOException busy) {
                sleep(); // a process that just exited may still be counted for a moment
            }
        }
        throw new IOException("cannot remove test cgroup " + dir);
    }

    /**
     * The name sysfs gives the whole disk holding {@code path} (a partition's parent; a device-mapper
     * device by its dm/name); skips (or fails, strictly) if it is not on a block device (tmpfs, overlay).
     */
    public static String wholeDiskOf(Path path) throws IOException {
        long dev = (Long) Files.getAttribute(path, "unix:dev");
        long major = (dev >>> 8) & 0xfff | (dev >>> 32) & ~0xfffL;
        long minor = dev & 0xff | (dev >>> 12) & ~0xffL;
        Path sys = Path.of("/sys/dev/block/" + major + ":" + minor);
        Requirements.require(Files.exists(sys), path + " is not on a block device (" + major + ":" + minor + ")");
        Path device = sys.toRealPath();
        if (Files.exists(device.resolve("partition"))) {
            device = device.getParent();
        }
        Path dmName = device.resolve("dm/name");
        return Files.exists(dmName) ? Files.readString(dmName, StandardCharsets.UTF_8).strip() : device.getFileName().toString();
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while removing a test cgroup"));
        }
    }
}
