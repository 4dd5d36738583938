package org.gleaner.collectors.smaps;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Streaming parser of /proc/PID/smaps and /proc/PID/smaps_rollup (proc(5)): works on the bytes as
 * they are read, allocates nothing per line, and finds fields by name, so fields that older or
 * newer kernels add or drop are simply absent or ignored. Malformed lines are skipped; a truncated
 * file yields the mappings it holds. One instance per thread: it reuses its buffers.
 */
public final class SmapsParser {
    /** The longest header line kept whole: the kernel limits a path to PATH_MAX (4096) bytes. */
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int MAX_NAME = 8192;

    private static final byte[][] KEYS = {
        ascii("Rss"), ascii("Pss"), ascii("Shared_Clean"), ascii("Shared_Dirty"), ascii("Private_Clean"),
        ascii("Private_Dirty"), ascii("Swap"), ascii("SwapPss"), ascii("Shared_Hugetlb"), ascii("Private_Hugetlb"),
    };

    private final byte[] buffer = new byte[BUFFER_SIZE];
    private final ByteBuffer wrapped = ByteBuffer.wrap(buffer);
    private final byte[] name = new byte[MAX_NAME];
    private final SmapsCounters counters = new SmapsCounters();
    private int nameLength;
    private long device;
    private long inode;
    private boolean inMapping;
    private SmapsHandler handler;

    /** Thrown out of {@link #parse} when the reading deadline passes. */
    public static final class DeadlineExceeded extends IOException {
        public DeadlineExceeded() {
            super("deadline exceeded", null);
        }
    }

    /**
     * Reads {@code channel} to its end, calling {@code handler} once per mapping.
     *
     * @param deadlineNanos a {@link System#nanoTime()} after which to give up, or {@link Long#MAX_VALUE}
     * @return the number of bytes read
     */
    public long parse(ReadableByteChannel channel, SmapsHandler handler, long deadlineNanos) throws IOException {
        start(handler);
        long total = 0;
        int filled = 0;
        boolean skippingLongLine = false;
        while (true) {
            wrapped.limit(buffer.length).position(filled);
            int read = channel.read(wrapped);
            if (read < 0) {
                break;
            }
            total += read;
            int end = filled + read;
            int lineStart = 0;
            for (int i = filled; i < end; i++) {
                if (buffer[i] == '\n') {
                    if (skippingLongLine) {
                        skippingLongLine = false;
                    } else {
                        line(lineStart, i);
                    }
                    lineStart = i + 1;
                }
            }
            filled = end - lineStart;
            if (filled == buffer.length) {
                skippingLongLine = true;
                filled = 0;
            } else if (lineStart > 0) {
                System.arraycopy(buffer, lineStart, buffer, 0, filled);
            }
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
                throw new DeadlineExceeded();
            }
        }
        if (filled > 0 && !skippingLongLine) {
            line(0, filled);
        }
        finish();
        return total;
    }

    /** Parses a whole file already in memory (fixtures, benchmarks), through the same streaming path. */
    public void parse(byte[] text, SmapsHandler handler) {
        ByteBuffer source = ByteBuffer.wrap(text);
        ReadableByteChannel channel = new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer target) {
                if (!source.hasRemaining()) {
                    return -1;
                }
                int count = Math.min(source.remaining(), target.remaining());
                target.put(target.position(), source, source.position(), count);
                target.position(target.position() + count);
                source.position(source.position() + count);
                return count;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
        try {
            parse(channel, handler, Long.MAX_VALUE);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private void start(SmapsHandler handler) {
        this.handler = handler;
        inMapping = false;
        counters.clear();
    }

    private void finish() {
        if (inMapping) {
            handler.mapping(device, inode, name, nameLength, counters);
            inMapping = false;
        }
        handler = null;
    }

    private void line(int from, int to) {
        if (from >= to) {
            return;
        }
        if (isHeader(from, to)) {
            if (inMapping) {
                handler.mapping(device, inode, name, nameLength, counters);
            }
            counters.clear();
            inMapping = header(from, to);
        } else if (inMapping) {
            field(from, to);
        }
    }

    /** A header starts "START-END " in hex; no field name does (they all hold a non-hex letter first or second). */
    private boolean isHeader(int from, int to) {
        int i = from;
        while (i < to && hexValue(buffer[i]) >= 0) {
            i++;
        }
        return i > from && i < to && buffer[i] == '-';
    }

    /** "start-end perms offset major:minor inode   name"; false if it does not parse. */
    private boolean header(int from, int to) {
        int i = skipToken(from, to);       // start-end
        i = skipToken(skipSpaces(i, to), to);  // perms
        i = skipToken(skipSpaces(i, to), to);  // offset
        i = skipSpaces(i, to);
        long major = 0;
        int digits = 0;
        for (; i < to && buffer[i] != ':'; i++, digits++) {
            int value = hexValue(buffer[i]);
            if (value < 0 || digits > 8) {
                return false;
            }
            major = major << 4 | value;
        }
        if (i == to || digits == 0) {
            return false;
        }
        i++;
        long minor = 0;
        digits = 0;
        for (; i < to && buffer[i] != ' '; i++, digits++) {
            int value = hexValue(buffer[i]);
            if (value < 0 || digits > 8) {
                return false;
            }
            minor = minor << 4 | value;
        }
        if (digits == 0) {
            return false;
        }
        i = skipSpaces(i, to);
        long parsedInode = 0;
        digits = 0;
        for (; i < to && buffer[i] != ' '; i++, digits++) {
            int value = buffer[i] - '0';
            if (value < 0 || value > 9 || digits > 18) {
                return false;
            }
            parsedInode = parsedInode * 10 + value;
        }
        if (digits == 0) {
            return false;
        }
        i = skipSpaces(i, to);
        nameLength = Math.min(to - i, name.length);
        System.arraycopy(buffer, i, name, 0, nameLength);
        device = major << 32 | minor;
        inode = parsedInode;
        return true;
    }

    /** "Key:   123 kB": adds the value to the matching counter; unknown keys and bad values are ignored. */
    private void field(int from, int to) {
        int colon = from;
        while (colon < to && buffer[colon] != ':') {
            colon++;
        }
        if (colon == to) {
            return;
        }
        int key = keyIndex(from, colon);
        if (key < 0) {
            return;
        }
        int i = skipSpaces(colon + 1, to);
        long value = 0;
        int digits = 0;
        for (; i < to; i++, digits++) {
            int digit = buffer[i] - '0';
            if (digit < 0 || digit > 9) {
                break;
            }
            if (digits == 15) {
                return;
            }
            value = value * 10 + digit;
        }
        if (digits == 0) {
            return;
        }
        long bytes = value * 1024;
        SmapsCounters c = counters;
        switch (key) {
            case 0 -> c.rss += bytes;
            case 1 -> c.pss += bytes;
            case 2 -> c.sharedClean += bytes;
            case 3 -> c.sharedDirty += bytes;
            case 4 -> c.privateClean += bytes;
            case 5 -> c.privateDirty += bytes;
            case 6 -> c.swap += bytes;
            case 7 -> c.swapPss += bytes;
            case 8 -> c.sharedHugetlb += bytes;
            default -> c.privateHugetlb += bytes;
        }
    }

    private int keyIndex(int from, int to) {
        int length = to - from;
        for (int k = 0; k < KEYS.length; k++) {
            byte[] key = KEYS[k];
            if (key.length == length && java.util.Arrays.equals(buffer, from, to, key, 0, length)) {
                return k;
            }
        }
        return -1;
    }

    private int skipToken(int i, int to) {
        while (i < to && buffer[i] != ' ') {
            i++;
        }
        return i;
    }

    private int skipSpaces(int i, int to) {
        while (i < to && (buffer[i] == ' ' || buffer[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return -1;
    }

    private static byte[] ascii(String key) {
        return key.getBytes(StandardCharsets.US_ASCII);
    }
}
