package org.gleaner.collectors.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BytePathTest {
    @Test
    void aJdkPathMadeFromBytesNamesTheSameBytes() {
        byte[][] paths = {
            "/sys/fs/cgroup/blkio/system.slice/nginx.service".getBytes(StandardCharsets.US_ASCII),
            "/a b/caf\u00e9/50%/x?y#z".getBytes(StandardCharsets.UTF_8),
            {'/', 'd', (byte) 0xff, (byte) 0xfe, '\n', '\\', '/', (byte) 0x80},
        };
        for (byte[] raw : paths) {
            BytePath path = BytePath.of(raw);
            assertEquals(path, BytePath.ofKernel(path.toPath()), ByteText.human(raw));
        }
    }

    @Test
    void onlyAnAbsolutePathBecomesAJdkPath() {
        assertThrows(IllegalArgumentException.class, () -> BytePath.of("relative/x".getBytes(StandardCharsets.US_ASCII)).toPath());
    }
}
