package org.gleaner.agent.fatrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountsTest {
    @Test
    void rootFirstThenDeviceBackedMountsWithEscapesDecoded() throws Exception {
        Path mounts = Files.createTempFile("gleaner-mounts", ".txt");
        try {
            Files.writeString(mounts, String.join("\n",
                    "proc /proc proc rw 0 0",
                    "/dev/null / ext4 rw 0 0",
                    "tmpfs /tmp tmpfs rw 0 0",
                    "/dev/null /srv/with\\040space ext4 rw 0 0",
                    "/dev/gleaner-missing-device /gone ext4 rw 0 0",
                    ""));
            assertEquals(List.of(Path.of("/"), Path.of("/srv/with space")), Mounts.deviceBacked(mounts));
        } finally {
            Files.delete(mounts);
        }
    }

    @Test
    void unescapeLeavesPlainBackslashesAlone() {
        assertEquals("a\\b\tc\\12", Mounts.unescape("a\\b\\011c\\12"));
        assertTrue(Mounts.unescape("\\134").equals("\\"));
    }
}
