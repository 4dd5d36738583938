package org.gleaner.collectors.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Names block devices from their MAJ:MIN through sysfs (sysfs-dev ABI: {@code /sys/dev/block/M:m} is a
 * symlink to the device's directory): the link target's last component ({@code vda}, {@code sdb1}),
 * or for device-mapper the name in {@code dm/name} ({@code vg0-root}). Never scans /dev. Cached; a
 * device sysfs does not know is named "M:m".
 */
final class BlockDevices {
    private final Path sysDevBlock;
    private final Map<Long, String> names = new HashMap<>();

    BlockDevices(Path root) {
        this.sysDevBlock = root.resolve("sys/dev/block");
    }

    String name(int major, int minor) {
        return names.computeIfAbsent((long) major << 32 | minor, key -> lookUp(major, minor));
    }

    private String lookUp(int major, int minor) {
        String id = major + ":" + minor;
        Path link = sysDevBlock.resolve(id);
        try {
            String dmName = Files.readString(link.resolve("dm/name"), StandardCharsets.UTF_8).strip();
            if (!dmName.isEmpty()) {
                return dmName;
            }
        } catch (IOException notDeviceMapper) {
            // an ordinary disk or partition
        }
        try {
            Path target = Files.readSymbolicLink(link).getFileName();
            return target == null ? id : target.toString();
        } catch (IOException | UnsupportedOperationException unknown) {
            return id;
        }
    }

    /** Forgets the names, so a MAJ:MIN given to another device is named afresh. */
    void forget() {
        names.clear();
    }
}
