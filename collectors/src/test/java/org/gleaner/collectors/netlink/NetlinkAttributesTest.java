package org.gleaner.collectors.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.gleaner.collectors.netlink.NetlinkAttributes.Attribute;
import org.junit.jupiter.api.Test;

class NetlinkAttributesTest {

    private static ByteBuffer attributes(int... lengthTypePairsThenNothing) {
        ByteBuffer buffer = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        for (int i = 0; i < lengthTypePairsThenNothing.length; i += 2) {
            int length = lengthTypePairsThenNothing[i];
            buffer.putShort((short) length).putShort((short) lengthTypePairsThenNothing[i + 1]);
            buffer.position(buffer.position() + NetlinkAttributes.align(length) - NetlinkAttributes.HEADER);
        }
        return buffer.flip();
    }

    @Test
    void walksAlignedAttributesAndMasksTheNestedFlag() {
        ByteBuffer buffer = attributes(5, 1, 8, 0x8000 | 2, 4, 0x4000 | 3);
        var walk = NetlinkAttributes.walk(buffer, 0, buffer.limit());
        assertTrue(walk.complete());
        assertEquals(List.of(new Attribute(1, 4, 1), new Attribute(2, 12, 4), new Attribute(3, 20, 0)), walk.attributes());
    }

    @Test
    void lengthBelowTheHeaderStopsTheWalk() {
        ByteBuffer buffer = attributes(8, 1, 2, 2, 8, 3);
        var walk = NetlinkAttributes.walk(buffer, 0, buffer.limit());
        assertFalse(walk.complete());
        assertEquals(1, walk.attributes().size());
    }

    @Test
    void attributeRunningPastTheEndStopsTheWalk() {
        ByteBuffer buffer = attributes(8, 1, 8, 2);
        var walk = NetlinkAttributes.walk(buffer, 0, 12);
        assertFalse(walk.complete());
        assertEquals(List.of(new Attribute(1, 4, 4)), walk.attributes());
    }

    @Test
    void rangeBeyondTheBufferIsIncomplete() {
        ByteBuffer buffer = attributes(8, 1);
        var walk = NetlinkAttributes.walk(buffer, 0, 100);
        assertFalse(walk.complete());
        assertEquals(1, walk.attributes().size());
    }
}
