package org.gleaner.collectors.fileevents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.Test;

class MountTableTest {

    private static String fixture() throws Exception {
        try (InputStream in = MountTableTest.class.getResourceAsStream("mountinfo")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theDeepestMountPointHoldingThePathNamesItsMount() throws Exception {
        MountTable table = MountTable.parse((fixture()).getBytes(StandardCharsets.UTF_8));
        assertEquals(BytePath.ofArgument("/"), table.mountOf(BytePath.ofArgument("/home/u/project/a.c")));
        assertEquals(BytePath.ofArgument("/proc"), table.mountOf(BytePath.ofArgument("/proc/1/comm")));
        assertEquals(BytePath.ofArgument("/dev/shm"), table.mountOf(BytePath.ofArgument("/dev/shm/x")));
        assertEquals(BytePath.ofArgument("/dev"), table.mountOf(BytePath.ofArgument("/dev/shmx")), "whole components only");
    }

    @Test
    void escapedMountPointsAreUnescaped() {
        MountTable table = MountTable.parse(("""
                1 0 8:1 / / rw - ext4 /dev/sda1 rw
                40 1 0:50 / /mnt/with\\040space\\134x rw,relatime - tmpfs tmpfs rw
                """).getBytes(StandardCharsets.UTF_8));
        assertEquals(BytePath.ofArgument("/mnt/with space\\x"), table.mountOf(BytePath.ofArgument("/mnt/with space\\x/f")));
        assertEquals(BytePath.ofArgument("/"), table.mountOf(BytePath.ofArgument("/mnt/with")));
    }

    @Test
    void malformedAndTruncatedLinesAreSkipped() {
        MountTable table = MountTable.parse(("garbage\n1 0 8:1 / /data rw - ext4 /dev/sda1 rw\n2 1 0:5 / \n\\\n3 1 0:6").getBytes(StandardCharsets.UTF_8));
        assertEquals(BytePath.ofArgument("/data"), table.mountOf(BytePath.ofArgument("/data/x")));
        assertNull(table.mountOf(BytePath.ofArgument("/etc/passwd")));
    }
}
