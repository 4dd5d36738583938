package org.gleaner.collectors.fileevents;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.gleaner.collectors.procfs.MountInfo;

/**
 * Mount points from /proc/self/mountinfo, for naming the mount an event's path lies on: the deepest
 * mount point that contains it, by whole path components.
 */
final class MountTable {

    private final List<Path> mountPoints;

    private MountTable(List<Path> mountPoints) {
        this.mountPoints = mountPoints;
    }

    /** Parses mountinfo text; lines it cannot read are skipped. */
    static MountTable parse(String mountinfo) {
        List<Path> points = new ArrayList<>();
        for (MountInfo mount : MountInfo.parse(mountinfo)) {
            if (mount.mountPoint().startsWith("/")) {
                points.add(Path.of(mount.mountPoint()));
            }
        }
        points.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return new MountTable(List.copyOf(points));
    }

    /** The mount point holding {@code path}, or null for a path on no known mount. */
    Path mountOf(Path path) {
        for (Path point : mountPoints) {
            if (path.startsWith(point)) {
                return point;
            }
        }
        return null;
    }
}
