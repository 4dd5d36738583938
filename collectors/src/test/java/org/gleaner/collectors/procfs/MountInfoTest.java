package org.gleaner.collectors.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountInfoTest {

    @Test
    void everyFieldOfACapturedLine() throws Exception {
        String text;
        try (InputStream in = MountInfoTest.class.getResourceAsStream("/org/gleaner/collectors/fileevents/mountinfo")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<MountInfo> mounts = MountInfo.parse(text);
        assertEquals(text.strip().split("\n").length, mounts.size());
        assertEquals(new MountInfo(24, 27, "0:6", "/", "/dev", "rw,relatime", "devtmpfs", "devtmpfs",
                "rw,size=12334460k,nr_inodes=3083615,mode=755"), mounts.get(2));
    }

    @Test
    void mountinfoEscapesAreDecoded() {
        MountInfo mount = MountInfo.parseLine(
                "60 22 0:27 /a\\134b /var/lib/mon\\040it\\011or\\012x rw,relatime shared:7 master:2 - cgroup cgroup rw,memory");
        assertEquals("/var/lib/mon it\tor\nx", mount.mountPoint());
        assertEquals("/a\\b", mount.root());
        assertEquals("cgroup", mount.fsType());
        assertEquals("rw,memory", mount.superOptions());
        assertNull(MountInfo.parseLine("60 22 0:27 / /x rw shared:1"));
        assertEquals(List.of(), MountInfo.parse("\n\n1 2\n"));
    }

    @Test
    void sourceIsUnescapedAndMissingTrailingFieldsAreEmpty() {
        assertEquals("/dev/disk with space", MountInfo.parseLine(
                "40 1 8:1 / /srv rw - ext4 /dev/disk\\040with\\040space rw").source());
        MountInfo bare = MountInfo.parseLine("40 1 8:1 / /srv rw - ext4");
        assertEquals("", bare.source());
        assertEquals("", bare.superOptions());
        assertNull(MountInfo.parseLine("x 1 8:1 / /srv rw - ext4 /dev/sda1 rw"));
    }

    @Test
    void unescapeLeavesPlainBackslashesAlone() {
        assertEquals("a\\b\tc\\12", MountInfo.unescape("a\\b\\011c\\12"));
        assertTrue(MountInfo.unescape("\\134").equals("\\"));
        assertEquals("ab\\04", MountInfo.unescape("ab\\04"));
    }
}
