package org.gleaner.agent.fatrace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.Test;

class MountsTest {
    @Test
    void rootFirstThenDeviceBackedMountsWithEscapesDecoded() throws Exception {
        Path mounts = Files.createTempFile("gleaner-mountinfo", ".txt");
        try {
            Files.writeString(mounts, String.join("\n",
                    "22 27 0:21 / /proc rw - proc proc rw",
                    "27 1 254:0 / / rw - ext4 /dev/null rw",
                    "30 27 0:30 / /tmp rw - tmpfs tmpfs rw",
                    "40 27 254:1 / /srv/with\\040space rw - ext4 /dev/null rw",
                    "41 27 254:2 / /gone rw - ext4 /dev/gleaner-missing-device rw",
                    ""));
            assertEquals(List.of(BytePath.ROOT, BytePath.ofArgument("/srv/with space")), Mounts.deviceBacked(mounts));
        } finally {
            Files.delete(mounts);
        }
    }
}
