package org.gleaner.collectors.fileevents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountTableTest {

    private static String fixture() throws Exception {
        try (InputStream in = MountTableTest.class.getResourceAsStream("mountinfo")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theDeepestMountPointHoldingThePathNamesItsMount() throws Exception {
        MountTable table = MountTable.parse(fixture());
        assertEquals(Path.of("/"), table.mountOf(Path.of("/home/u/project/a.c")));
        assertEquals(Path.of("/proc"), table.mountOf(Path.of("/proc/1/comm")));
        assertEquals(Path.of("/dev/shm"), table.mountOf(Path.of("/dev/shm/x")));
        assertEquals(Path.of("/dev"), table.mountOf(Path.of("/dev/shmx")), "whole components only");
    }

    @Test
    void escapedMountPointsAreUnescaped() {
        MountTable table = MountTable.parse("""
                1 0 8:1 / / rw - ext4 /dev/sda1 rw
                40 1 0:50 / /mnt/with\\040space\\134x rw,relatime - tmpfs tmpfs rw
                """);
        assertEquals(Path.of("/mnt/with space\\x"), table.mountOf(Path.of("/mnt/with space\\x/f")));
        assertEquals(Path.of("/"), table.mountOf(Path.of("/mnt/with")));
    }

    @Test
    void malformedAndTruncatedLinesAreSkipped() {
        MountTable table = MountTable.parse("garbage\n1 0 8:1 / /data rw - ext4 /dev/sda1 rw\n2 1 0:5 / \n\\\n3 1 0:6");
        assertEquals(Path.of("/data"), table.mountOf(Path.of("/data/x")));
        assertNull(table.mountOf(Path.of("/etc/passwd")));
    }
}
