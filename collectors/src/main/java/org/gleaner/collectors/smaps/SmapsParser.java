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

    /** The fields used, with their colons; the order is the switch in {@link #value}. */
    private static final byte[][] KEYS = {
        ascii("Rss:"), ascii("Pss:"), ascii("Shared_Clean:"), ascii("Shared_Dirty:"), ascii("Private_Clean:"),
        ascii("Private_Dirty:"), ascii("Swap:"), ascii("SwapPss:"), ascii("Shared_Hugetlb:"), ascii("Private_Hugetlb:"),
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
            int lastNewline = end - 1;
            while (lastNewline >= filled && buffer[lastNewline] != '\n') {
                lastNewline--;
            }
            if (lastNewline < filled) {
                lastNewline = -1; // no line ends in what was just read
            }
            int consumed = 0;
            if (lastNewline >= 0) {
                if (skippingLongLine) {
                    consumed = skipLine(0, lastNewline + 1);
                    skippingLongLine = false;
                }
                while (consumed <= lastNewline) {
                    consumed = line(consumed, lastNewline + 1);
                }
            }
            filled = end - consumed;
            if (filled == buffer.length) {
                skippingLongLine = true;
                filled = 0;
            } else if (consumed > 0) {
                System.arraycopy(buffer, consumed, buffer, 0, filled);
            }
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
                throw new DeadlineExceeded();
            }
        }
        if (filled > 0 && !skippingLongLine) {
            // a last line without its newline: parse it as if it had one
            buffer[filled] = '\n';
            line(0, filled + 1);
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

    /**
     * Parses the line starting at {@code from}; {@code limit} is just past a newline that ends it or
     * a later line. Returns where the next line starts. Every byte is looked at about once.
     */
    private int line(int from, int limit) {
        byte first = buffer[from];
        if (first == '\n') {
            return from + 1;
        }
        int key = -1;
        int afterKey = from;
        if (first == 'R' || first == 'P' || first == 'S') {
            for (int k = 0; k < KEYS.length; k++) {
                byte[] name = KEYS[k];
                if (name[0] == first && startsWith(from, limit, name)) {
                    key = k;
                    afterKey = from + name.length;
                    break;
                }
            }
        }
        if (key >= 0) {
            return inMapping ? value(key, afterKey, limit) : skipLine(afterKey, limit);
        }
        int end = skipLine(from, limit);
        if (hexValue(first) >= 0 && isHeader(from, end - 1)) {
            if (inMapping) {
                handler.mapping(device, inode, name, nameLength, counters);
            }
            counters.clear();
            inMapping = header(from, end - 1);
        }
        return end;
    }

    /** True if the bytes at {@code from} are {@code key} (which holds its colon), within the complete lines. */
    private boolean startsWith(int from, int limit, byte[] key) {
        if (from + key.length > limit) {
            return false;
        }
        for (int i = 1; i < key.length; i++) {
            if (buffer[from + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    /** Index just past the newline at or after {@code from}. */
    private int skipLine(int from, int limit) {
        int i = from;
        while (i < limit && buffer[i] != '\n') {
            i++;
        }
        return i + 1;
    }

    /** "   123 kB": adds the value to counter {@code key}; a value without digits or absurdly long is ignored. */
    private int value(int key, int from, int limit) {
        int i = from;
        while (buffer[i] == ' ' || buffer[i] == '\t') {
            i++;
        }
        long value = 0;
        int digitsStart = i;
        for (int digit = buffer[i] - '0'; digit >= 0 && digit <= 9; digit = buffer[i] - '0') {
            value = value * 10 + digit;
            i++;
        }
        int digits = i - digitsStart;
        // the kernel prints "%8lu kB\n": take the fast way out when that is what follows
        int end = buffer[i] == ' ' && buffer[i + 1] == 'k' && buffer[i + 2] == 'B' && buffer[i + 3] == '\n'
                ? i + 4 : skipLine(i, limit);
        if (digits == 0 || digits > 15) {
            return end;
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
            case 7 -> {
                c.swapPss += bytes;
                c.swapPssReported = true;
            }
            case 8 -> c.sharedHugetlb += bytes;
            default -> c.privateHugetlb += bytes;
        }
        return end;
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
