package org.gleaner.agent.fatrace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.gleaner.collectors.procfs.MountInfo;

/** The mount points fatrace watches without -c: "/" first, then every mount backed by a device or file. */
public final class Mounts {
    private Mounts() {}

    /** Reads a /proc/PID/mountinfo file. */
    public static List<Path> deviceBacked(Path mountinfoFile) throws IOException {
        Set<Path> mountPoints = new LinkedHashSet<>();
        mountPoints.add(Path.of("/"));
        for (MountInfo mount : MountInfo.parse(Files.readString(mountinfoFile))) {
            // Like fatrace: only mounts of a real device or file; proc, sysfs, tmpfs... cause no disk access.
            if (mount.source().startsWith("/") && Files.exists(Path.of(mount.source()))) {
                mountPoints.add(Path.of(mount.mountPoint()));
            }
        }
        return new ArrayList<>(mountPoints);
    }
}
