package org.gleaner.collectors.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes cgroup v1 blkio accounting work. On current kernels (checked on 6.18) the v1
 * {@code blkio.throttle.io_service_*} files of a cgroup count IO only on devices where that cgroup
 * has a throttle rule, so this installs, on every whole-disk device ({@code /sys/block/*}), read and
 * write bps rules too large to ever limit. A device that already has a rule in that file (set by
 * the administrator) is left alone. Each unit is equipped once; again when the set of disks changes.
 */
final class BlkioAccountingRules {
    /** Bytes per second no device reaches. Not 0 or U64_MAX: the kernel reads those as "no rule". */
    static final String UNLIMITED_BPS = String.valueOf(Long.MAX_VALUE);
    private static final List<String> RULE_FILES = List.of("blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device");
    private static final System.Logger LOG = System.getLogger(BlkioAccountingRules.class.getName());

    private final Path sysBlock;
    private Set<String> diskNames = Set.of();
    private List<String> disks = List.of(); // MAJ:MIN of each whole disk
    private final Set<Path> equipped = new HashSet<>();
    private boolean warned;

    BlkioAccountingRules(Path root) {
        this.sysBlock = root.resolve("sys/block");
    }

    /** Re-reads the list of disks (one directory listing); forgets equipped units when it changed. */
    void refreshDisks() {
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(sysBlock)) {
            entries.forEach(entry -> names.add(entry.getFileName().toString()));
        } catch (IOException e) {
            return;
        }
        if (names.equals(diskNames)) {
            return;
        }
        List<String> ids = new ArrayList<>();
        for (String name : names) {
            try {
                ids.add(Files.readString(sysBlock.resolve(name).resolve("dev"), StandardCharsets.US_ASCII).strip());
            } catch (IOException vanished) {
                // the disk went away between listing and reading
            }
        }
        diskNames = names;
        disks = List.copyOf(ids);
        equipped.clear();
    }

    /**
     * Installs the rules in the v1 blkio cgroup directory {@code dir} (a path holding the name's
     * bytes, {@link org.gleaner.collectors.text.BytePath#toPath}, so any name works in any locale)
     * unless done already.
     */
    void equip(Path dir) {
        if (!equipped.add(dir)) {
            return;
        }
        for (String ruleFile : RULE_FILES) {
            Path file = dir.resolve(ruleFile);
            Set<String> ruled = devicesWithRules(file);
            for (String device : disks) {
                if (!ruled.contains(device)) {
                    install(file, device);
                }
            }
        }
    }

    private static Set<String> devicesWithRules(Path file) {
        Set<String> devices = new HashSet<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    devices.add(line.substring(0, space));
                }
            }
        } catch (IOException vanished) {
            // the cgroup was removed; the writes below fail quietly too
        }
        return devices;
    }

    private void install(Path file, String device) {
        try {
            Files.writeString(file, device + " " + UNLIMITED_BPS + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            // Devices without a request queue refuse rules (ENODEV/EINVAL); a removed cgroup is gone.
            if (!warned && e instanceof java.nio.file.AccessDeniedException) {
                warned = true;
                LOG.log(System.Logger.Level.WARNING, "cannot install blkio accounting rules (" + file + "): permission denied; "
                        + "v1 blkio counters stay at 0 for cgroups without throttle rules");
            }
        }
    }
}
