package org.gleaner.collectors.fileevents;

import java.nio.charset.StandardCharsets;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.gleaner.collectors.fanotify.FileEvent;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.Test;

class FileEventCountsTest {

    private static final MountTable MOUNTS = MountTable.parse(("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
            + "2 1 0:40 / /tmp rw - tmpfs tmpfs rw\n").getBytes(StandardCharsets.UTF_8));

    @Test
    void countsTypesProcessesMountsAndOverflows() {
        FileEventCounts counts = new FileEventCounts(() -> MOUNTS, 1);
        counts.onEvent(new FileEvent(FileEvent.OPEN | FileEvent.ACCESS | FileEvent.CLOSE_NOWRITE, 10, BytePath.ofArgument("/src/a.c"),
                "make"));
        counts.onEvent(new FileEvent(FileEvent.MODIFY | FileEvent.CLOSE_WRITE, 11, BytePath.ofArgument("/tmp/a.o"), "cc1"));
        counts.onEvent(new FileEvent(FileEvent.CREATE, 11, BytePath.ofArgument("/tmp/b.o"), "cc1"));
        counts.onEvent(new FileEvent(FileEvent.DELETE, 11, BytePath.ofArgument("/tmp/b.o"), "cc1"));
        counts.onEvent(new FileEvent(FileEvent.MOVED_FROM, 11, BytePath.ofArgument("/tmp/c"), "cc1"));
        counts.onEvent(new FileEvent(FileEvent.MOVED_TO, 11, BytePath.ofArgument("/tmp/d"), "cc1"));
        counts.onEvent(new FileEvent(FileEvent.CLOSE_WRITE, 99, BytePath.ofArgument("/src/gone"), "unknown"));
        counts.onOverflow();
        FileEventCounts.Totals totals = counts.totals();
        // open, read, write, create, delete, move
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1}, totals.byType());
        assertEquals(Map.of("cc1", 5L), totals.byProcess().named());
        assertEquals(2, totals.byProcess().other(), "make and the vanished pid");
        assertEquals(Map.of("/tmp", 5L), totals.byMount().named());
        assertEquals(2, totals.byMount().other());
        assertEquals(1, totals.overflows());
    }
}
