package org.gleaner.collectors.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks netlink attributes (struct nlattr: u16 len including the 4-byte header, u16 type, value,
 * padding to 4 bytes; see netlink(7) and include/uapi/linux/netlink.h). Pure: reads a buffer by
 * absolute offsets and never throws on bad bytes.
 */
public final class NetlinkAttributes {
    public static final int HEADER = 4;
    /** NLA_F_NESTED and NLA_F_NET_BYTEORDER share the top two bits of the type. */
    public static final int TYPE_MASK = 0x3fff;

    /** One attribute: its type with the flag bits masked off, and where its value lies. */
    public record Attribute(int type, int valueOffset, int valueLength) {}

    /** The attributes found, and whether the range ended exactly after the last one (else it was cut or corrupt). */
    public record Walk(List<Attribute> attributes, boolean complete) {
        public Attribute first(int type) {
            for (Attribute attribute : attributes) {
                if (attribute.type() == type) {
                    return attribute;
                }
            }
            return null;
        }
    }

    private NetlinkAttributes() {}

    public static int align(int length) {
        return (length + 3) & ~3;
    }

    /** The attributes in {@code buffer} between absolute offsets {@code start} and {@code end}. */
    public static Walk walk(ByteBuffer buffer, int start, int end) {
        List<Attribute> attributes = new ArrayList<>();
        int limit = Math.min(end, buffer.limit());
        int offset = start;
        while (offset + HEADER <= limit) {
            int length = Short.toUnsignedInt(buffer.getShort(offset));
            int type = Short.toUnsignedInt(buffer.getShort(offset + 2)) & TYPE_MASK;
            if (length < HEADER || offset + length > limit) {
                return new Walk(attributes, false);
            }
            attributes.add(new Attribute(type, offset + HEADER, length - HEADER));
            offset += align(length);
        }
        return new Walk(attributes, offset >= limit && end <= buffer.limit());
    }
}
