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
        return new IoCounters(Arrays.copyOf(values, values.length));
    }

    /**
     * Parses the text of /proc/PID/io or /proc/PID/task/TID/io ({@code name: value} lines). Empty
     * if any of the seven counters is missing or not a non-negative number.
     */
    public static Optional<IoCounters> parseProcIo(String text) {
        // read in place, without splitting into lines: ~800 of these files are parsed every cycle
        long[] values = new long[NAMES.size()];
        Arrays.fill(values, -1);
        for (int lineStart = 0; lineStart < text.length(); ) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            int colon = text.indexOf(':', lineStart);
            int index = colon >= 0 && colon < lineEnd ? nameIndex(text, lineStart, colon) : -1;
            if (index >= 0) {
                int begin = colon + 1;
                int end = lineEnd;
                while (begin < end && text.charAt(begin) <= ' ') {
                    begin++;
                }
                while (end > begin && text.charAt(end - 1) <= ' ') {
                    end--;
                }
                try {
                    values[index] = Long.parseLong(text, begin, end, 10);
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
            lineStart = lineEnd + 1;
        }
        for (long value : values) {
            if (value < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(new IoCounters(values));
    }

    /** The index in {@link #NAMES} of the name {@code text} holds from {@code begin} to {@code end}, or -1. */
    private static int nameIndex(String text, int begin, int end) {
        for (int i = 0; i < NAMES.size(); i++) {
            String name = NAMES.get(i);
            if (name.length() == end - begin && text.startsWith(name, begin)) {
                return i;
            }
        }
        return -1;
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
