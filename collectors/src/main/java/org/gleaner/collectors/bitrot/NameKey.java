package org.gleaner.collectors.bitrot;

import java.util.Arrays;

/** A raw name as a map key: equal when the bytes are. */
record NameKey(byte[] bytes) {
    @Override
    public boolean equals(Object other) {
        return other instanceof NameKey key && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Arrays.toString(bytes);
    }
}
