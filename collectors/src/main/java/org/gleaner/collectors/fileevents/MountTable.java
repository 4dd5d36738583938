package org.gleaner.collectors.fileevents;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.gleaner.collectors.procfs.MountInfo;
import org.gleaner.collectors.text.BytePath;

/**
 * Mount points from /proc/self/mountinfo, for naming the mount an event's path lies on: the deepest
 * mount point that contains it, by whole path components.
 */
final class MountTable {

    private final List<BytePath> mountPoints;

    private MountTable(List<BytePath> mountPoints) {
        this.mountPoints = mountPoints;
    }

    /** Parses mountinfo as read; lines it cannot read are skipped. */
    static MountTable parse(byte[] mountinfo) {
        List<BytePath> points = new ArrayList<>();
        for (MountInfo mount : MountInfo.parse(mountinfo)) {
            if (mount.mountPoint().startsWith("/")) {
                points.add(mount.mountPointPath());
            }
        }
        points.sort(Comparator.comparingInt((BytePath point) -> point.names().length).reversed());
        return new MountTable(List.copyOf(points));
    }

    /** The mount point holding {@code path}, or null for a path on no known mount. */
    BytePath mountOf(BytePath path) {
        for (BytePath point : mountPoints) {
            if (path.startsWith(point)) {
                return point;
            }
        }
        return null;
    }
}
