package org.gleaner.collectors.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.gleaner.collectors.text.ByteText;

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
            // a device-mapper name is bytes: its human form, never a decoding that can fail
            byte[] raw = Files.readAllBytes(link.resolve("dm/name"));
            int length = raw.length;
            while (length > 0 && (raw[length - 1] == '\n' || raw[length - 1] == ' ')) {
                length--;
            }
            String dmName = ByteText.human(raw, 0, length);
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
