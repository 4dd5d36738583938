package org.gleaner.collectors.cgroup;

import java.nio.charset.StandardCharsets;

/**
 * Streaming parsers for the text formats of cgroup files (cgroup-v2.rst, "Interface Files":
 * flat keyed, nested keyed; cgroup-v1 blkio-controller.rst; PSI in psi.rst), working on a byte
 * buffer without allocating. Lines that do not parse are skipped and counted as malformed, never thrown.
 */
final class StatText {

    /** A value that did not parse (not a number, negative, or beyond a signed 64-bit counter). */
    static final long INVALID = Long.MIN_VALUE;

    private StatText() {}

    /** Keys looked up by their bytes, so no String is made per line. */
    static final class Keys {
        private final byte[][] keys;

        /** A null key holds its index without matching anything. */
        Keys(String... keys) {
            this.keys = new byte[keys.length][];
            for (int i = 0; i < keys.length; i++) {
                this.keys[i] = keys[i] == null ? null : keys[i].getBytes(StandardCharsets.US_ASCII);
            }
        }

        /** The index of {@code b[from, to)} among the keys, or -1. */
        int find(byte[] b, int from, int to) {
            int length = to - from;
            for (int k = 0; k < keys.length; k++) {
                byte[] key = keys[k];
                if (key != null && key.length == length && regionEquals(b, from, key)) {
                    return k;
                }
            }
            return -1;
        }
    }

    interface KeyedValue {
        void accept(int key, long value);
    }

    interface DeviceValue {
        void accept(int major, int minor, int key, long value);
    }

    interface PressureLine {
        /** {@code kind} is 0 for "some", 1 for "full"; avg10 is a percentage, total in microseconds. */
        void accept(int kind, double avg10, long totalUsec);
    }

    /** The first number in a single-value file ({@code memory.current}, {@code cpuacct.usage}). */
    static long singleValue(byte[] b, int length) {
        int start = skipBlanks(b, 0, length);
        int end = tokenEnd(b, start, length);
        return end == start ? INVALID : parseLong(b, start, end);
    }

    /** "key value" lines (cpu.stat, memory.stat, cpuacct.stat); returns the number of malformed lines. */
    static int flatKeyed(byte[] b, int length, Keys keys, KeyedValue out) {
        int malformed = 0;
        for (int line = 0; line < length; ) {
            int end = lineEnd(b, line, length);
            int keyEnd = tokenEnd(b, line, end);
            int key = keys.find(b, line, keyEnd);
            if (key >= 0) {
                int valueStart = skipBlanks(b, keyEnd, end);
                long value = parseLong(b, valueStart, tokenEnd(b, valueStart, end));
                if (value == INVALID) {
                    malformed++;
                } else {
                    out.accept(key, value);
                }
            }
            line = end + 1;
        }
        return malformed;
    }

    /** io.stat: "MAJ:MIN rbytes=N wbytes=N ..." lines; returns the number of malformed lines. */
    static int nestedKeyed(byte[] b, int length, Keys keys, DeviceValue out) {
        int malformed = 0;
        for (int line = 0; line < length; ) {
            int end = lineEnd(b, line, length);
            int deviceEnd = tokenEnd(b, line, end);
            long device = parseDevice(b, line, deviceEnd);
            if (device < 0) {
                malformed += deviceEnd > line ? 1 : 0;
            } else {
                for (int pair = skipBlanks(b, deviceEnd, end); pair < end; ) {
                    int pairEnd = tokenEnd(b, pair, end);
                    int equals = indexOf(b, pair, pairEnd, (byte) '=');
                    int key = equals < 0 ? -1 : keys.find(b, pair, equals);
                    if (key >= 0) {
                        long value = parseLong(b, equals + 1, pairEnd);
                        if (value == INVALID) {
                            malformed++;
                        } else {
                            out.accept((int) (device >>> 32), (int) device, key, value);
                        }
                    }
                    pair = skipBlanks(b, pairEnd, end);
                }
            }
            line = end + 1;
        }
        return malformed;
    }

    /**
     * v1 blkio stat files: "MAJ:MIN Op N" lines, Op one of {@code ops} (others such as Sync, Async and
     * Total are passed over), and a last "Total N" line; returns the number of malformed lines.
     */
    static int blkio(byte[] b, int length, Keys ops, DeviceValue out) {
        int malformed = 0;
        for (int line = 0; line < length; ) {
            int end = lineEnd(b, line, length);
            int deviceEnd = tokenEnd(b, line, end);
            long device = parseDevice(b, line, deviceEnd);
            if (device >= 0) {
                int opStart = skipBlanks(b, deviceEnd, end);
                int opEnd = tokenEnd(b, opStart, end);
                int op = ops.find(b, opStart, opEnd);
                if (op >= 0) {
                    int valueStart = skipBlanks(b, opEnd, end);
                    long value = parseLong(b, valueStart, tokenEnd(b, valueStart, end));
                    if (value == INVALID) {
                        malformed++;
                    } else {
                        out.accept((int) (device >>> 32), (int) device, op, value);
                    }
                }
            } else if (deviceEnd > line && !startsWith(b, line, deviceEnd, TOTAL)) {
                malformed++;
            }
            line = end + 1;
        }
        return malformed;
    }

    private static final byte[] TOTAL = "Total".getBytes(StandardCharsets.US_ASCII);
    private static final Keys PRESSURE_KINDS = new Keys("some", "full");
    private static final Keys PRESSURE_FIELDS = new Keys("avg10", "total");

    /** PSI files: "some avg10=0.12 avg60=... avg300=... total=N"; returns the number of malformed lines. */
    static int pressure(byte[] b, int length, PressureLine out) {
        int malformed = 0;
        for (int line = 0; line < length; ) {
            int end = lineEnd(b, line, length);
            int kindEnd = tokenEnd(b, line, end);
            int kind = PRESSURE_KINDS.find(b, line, kindEnd);
            double avg10 = Double.NaN;
            long total = INVALID;
            for (int pair = skipBlanks(b, kindEnd, end); kind >= 0 && pair < end; ) {
                int pairEnd = tokenEnd(b, pair, end);
                int equals = indexOf(b, pair, pairEnd, (byte) '=');
                int field = equals < 0 ? -1 : PRESSURE_FIELDS.find(b, pair, equals);
                if (field == 0) {
                    avg10 = parseDecimal(b, equals + 1, pairEnd);
                } else if (field == 1) {
                    total = parseLong(b, equals + 1, pairEnd);
                }
                pair = skipBlanks(b, pairEnd, end);
            }
            if (kind >= 0 && total != INVALID && !Double.isNaN(avg10)) {
                out.accept(kind, avg10, total);
            } else if (end > line) {
                malformed++;
            }
            line = end + 1;
        }
        return malformed;
    }

    /** Whether a whitespace-separated token of {@code b[0, length)} equals {@code word} (cgroup.controllers). */
    static boolean containsWord(byte[] b, int length, byte[] word) {
        for (int start = skipSpace(b, 0, length); start < length; ) {
            int end = tokenEnd(b, start, length);
            if (end - start == word.length && regionEquals(b, start, word)) {
                return true;
            }
            start = skipSpace(b, end, length);
        }
        return false;
    }

    /** Digits only, at most what fits a signed 64-bit value; anything else is INVALID. */
    static long parseLong(byte[] b, int from, int to) {
        if (from >= to) {
            return INVALID;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10) {
                return INVALID;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** "12.34" as written by the kernel's PSI averages; NaN if malformed. */
    static double parseDecimal(byte[] b, int from, int to) {
        int dot = indexOf(b, from, to, (byte) '.');
        long whole = parseLong(b, from, dot < 0 ? to : dot);
        if (whole == INVALID) {
            return Double.NaN;
        }
        if (dot < 0) {
            return whole;
        }
        long fraction = parseLong(b, dot + 1, to);
        int digits = to - dot - 1;
        if (fraction == INVALID || digits > 9) {
            return Double.NaN;
        }
        long scale = (long) Math.pow(10, digits);
        // one division of exact integers rounds correctly (5.81, not 5.8100000000000005)
        return whole < Long.MAX_VALUE / scale - 1 ? (double) (whole * scale + fraction) / scale : whole;
    }

    /** "MAJ:MIN" packed as major << 32 | minor, or -1. */
    static long parseDevice(byte[] b, int from, int to) {
        int colon = indexOf(b, from, to, (byte) ':');
        if (colon < 0) {
            return -1;
        }
        long major = parseLong(b, from, colon);
        long minor = parseLong(b, colon + 1, to);
        if (major == INVALID || minor == INVALID || major > Integer.MAX_VALUE || minor > Integer.MAX_VALUE) {
            return -1;
        }
        return major << 32 | minor;
    }

    private static int lineEnd(byte[] b, int from, int length) {
        int newline = indexOf(b, from, length, (byte) '\n');
        return newline < 0 ? length : newline;
    }

    private static int tokenEnd(byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] != ' ' && b[i] != '\t' && b[i] != '\n') {
            i++;
        }
        return i;
    }

    private static int skipBlanks(byte[] b, int from, int to) {
        int i = from;
        while (i < to && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static int skipSpace(byte[] b, int from, int to) {
        int i = from;
        while (i < to && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n')) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] b, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionEquals(byte[] b, int from, byte[] key) {
        for (int i = 0; i < key.length; i++) {
            if (b[from + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        return to - from >= prefix.length && regionEquals(b, from, prefix);
    }
}
