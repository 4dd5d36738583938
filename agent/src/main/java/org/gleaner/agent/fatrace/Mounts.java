package org.gleaner.agent.fatrace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.gleaner.collectors.procfs.ByteFiles;
import org.gleaner.collectors.procfs.MountInfo;
import org.gleaner.collectors.text.BytePath;

/**
 * The mount points fatrace watches without -c: "/" first, then every mount backed by a device or
 * file. Mount points and sources are bytes, like any file name.
 */
public final class Mounts {
    private Mounts() {}

    /** Reads a /proc/PID/mountinfo file. */
    public static List<BytePath> deviceBacked(Path mountinfoFile) throws IOException {
        Set<BytePath> mountPoints = new LinkedHashSet<>();
        mountPoints.add(BytePath.ROOT);
        for (MountInfo mount : MountInfo.parse(Files.readAllBytes(mountinfoFile))) {
            // Like fatrace: only mounts of a real device or file; proc, sysfs, tmpfs... cause no disk access.
            if (mount.source().startsWith("/") && ByteFiles.exists(mount.sourcePath())) {
                mountPoints.add(mount.mountPointPath());
            }
        }
        return new ArrayList<>(mountPoints);
    }
}
