package org.gleaner.collectors.conntrack;

import java.util.List;

/** The six values kept per peer, in this order. */
public final class Traffic {
    public static final int BYTES_IN = 0;
    public static final int BYTES_OUT = 1;
    public static final int PACKETS_IN = 2;
    public static final int PACKETS_OUT = 3;
    public static final int FLOWS_STARTED = 4;
    public static final int FLOWS_ENDED = 5;
    public static final List<String> NAMES = List.of("bytes_in", "bytes_out", "packets_in", "packets_out", "flows_started", "flows_ended");

    private Traffic() {}

    static long[] zero() {
        return new long[NAMES.size()];
    }

    static void add(long[] into, long[] values) {
        for (int i = 0; i < into.length; i++) {
            into[i] += values[i];
        }
    }
}
