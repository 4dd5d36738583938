package org.gleaner.collectors.syscallio;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The I/O counters of one task, in the order and under the names of /proc/PID/io (proc(5)):
 * characters read and written through syscalls, read and write syscalls, bytes the task caused
 * to be fetched from or sent to storage, and written bytes whose writeback was cancelled.
 * Immutable.
 */
public final class IoCounters {
    public static final List<String> NAMES = List.of(
            "rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes", "cancelled_write_bytes");
    public static final IoCounters ZERO = new IoCounters(new long[NAMES.size()]);

    private final long[] values;

    private IoCounters(long[] values) {
        this.values = values;
    }

    /** Counters in {@link #NAMES} order; negative values are invalid. */
    public static IoCounters of(long... values) {
        if (values.length != NAMES.size()) {
            throw new IllegalArgumentException("expected " + NAMES.size() + " counters, got " + values.length);
        }
        for (long value : values) {
            if (value < 0) {
                throw new IllegalArgumentException("negative counter " + value);
            }
        }
        return new IoCounters(values.clone());
    }

    /**
     * Parses the text of /proc/PID/io or /proc/PID/task/TID/io ({@code name: value} lines). Empty
     * if any of the seven counters is missing or not a non-negative number.
     */
    public static Optional<IoCounters> parseProcIo(String text) {
        long[] values = new long[NAMES.size()];
        Arrays.fill(values, -1);
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            int index = NAMES.indexOf(line.substring(0, colon));
            if (index < 0) {
                continue;
            }
            try {
                values[index] = Long.parseLong(line.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        for (long value : values) {
            if (value < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(new IoCounters(values));
    }

    public long get(int index) {
        return values[index];
    }

    /** Whether no counter of this is above the same counter of {@code other}. */
    public boolean atMost(IoCounters other) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] > other.values[i]) {
                return false;
            }
        }
        return true;
    }

    /** Each counter minus the same counter of {@code earlier}, never below zero. */
    public IoCounters minusClamped(IoCounters earlier) {
        long[] result = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = Math.max(0, values[i] - earlier.values[i]);
        }
        return new IoCounters(result);
    }

    /** The larger of each pair of counters. */
    public IoCounters max(IoCounters other) {
        long[] result = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = Math.max(values[i], other.values[i]);
        }
        return new IoCounters(result);
    }

    /** Adds each counter to {@code totals} (same order). */
    void addTo(long[] totals) {
        for (int i = 0; i < values.length; i++) {
            totals[i] += values[i];
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IoCounters counters && Arrays.equals(values, counters.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            text.append(i == 0 ? "" : ", ").append(NAMES.get(i)).append('=').append(values[i]);
        }
        return text.append('}').toString();
    }
}
