package org.gleaner.collectors.bitrot;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.gleaner.collectors.text.ByteText;

/**
 * An open finding: a file whose content no longer matches its baseline while nothing marks a
 * change. {@code ranges} are the differing byte ranges (inclusive, at block granularity);
 * {@code lastGood} is when the content last matched; {@code metadataUnchanged} is false when the
 * file's size, times or inode have moved since the finding (it stays open until accepted or the
 * content matches again).
 */
public record Finding(byte[] path, List<long[]> ranges, long lastGood, long foundAt, boolean metadataUnchanged, long size) {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    /** {@code CORRUPT /data/f: bytes 1048576-2097151 differ; size/mtime/ctime unchanged; last good 2026-11-02} */
    public String line() {
        StringBuilder line = new StringBuilder("CORRUPT ");
        ByteText.appendHuman(line, path, 0, path.length);
        line.append(": bytes ");
        for (int i = 0; i < ranges.size(); i++) {
            line.append(i > 0 ? ", " : "").append(ranges.get(i)[0]).append('-').append(ranges.get(i)[1]);
        }
        line.append(metadataUnchanged ? " differ; size/mtime/ctime unchanged" : " differ; size/mtime/ctime changed since found");
        return line.append("; last good ").append(DAY.format(Instant.ofEpochMilli(lastGood))).toString();
    }

    /** "0-1048575,2097152-2100000" */
    static String formatRanges(List<long[]> ranges) {
        StringBuilder text = new StringBuilder();
        for (long[] range : ranges) {
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(range[0]).append('-').append(range[1]);
        }
        return text.toString();
    }

    static List<long[]> parseRanges(String text) {
        List<long[]> ranges = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return ranges;
        }
        for (String range : text.split(",")) {
            int dash = range.indexOf('-');
            ranges.add(new long[] {Long.parseLong(range.substring(0, dash)), Long.parseLong(range.substring(dash + 1))});
        }
        return ranges;
    }

    /**
     * The byte ranges whose block digests differ (or that only one side has), merged when adjacent.
     * Blocks are {@link ContentReader#BLOCK_SIZE} bytes; the last range ends at the larger size.
     */
    static List<long[]> differingRanges(byte[] good, long goodSize, byte[] now, long nowSize, int digestLength) {
        List<long[]> ranges = new ArrayList<>();
        int goodBlocks = good.length / digestLength;
        int nowBlocks = now.length / digestLength;
        long end = Math.max(goodSize, nowSize);
        for (int block = 0; block < Math.max(goodBlocks, nowBlocks); block++) {
            boolean differs = block >= goodBlocks || block >= nowBlocks
                    || !java.util.Arrays.equals(good, block * digestLength, (block + 1) * digestLength,
                            now, block * digestLength, (block + 1) * digestLength);
            if (!differs) {
                continue;
            }
            long from = (long) block * ContentReader.BLOCK_SIZE;
            long to = Math.min(from + ContentReader.BLOCK_SIZE, end) - 1;
            long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && last[1] + 1 == from) {
                last[1] = to;
            } else {
                ranges.add(new long[] {from, to});
            }
        }
        if (ranges.isEmpty() && goodSize != nowSize) {
            ranges.add(new long[] {Math.min(goodSize, nowSize), end - 1});
        }
        return ranges;
    }
}
