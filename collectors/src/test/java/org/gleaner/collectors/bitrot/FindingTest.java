package org.gleaner.collectors.bitrot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FindingTest {
    private static final int MIB = ContentReader.BLOCK_SIZE;

    private static byte[] digests(int... values) {
        byte[] digests = new byte[values.length * 16];
        for (int i = 0; i < values.length; i++) {
            digests[i * 16] = (byte) values[i];
        }
        return digests;
    }

    private static String ranges(byte[] good, long goodSize, byte[] now, long nowSize) {
        return Finding.formatRanges(Finding.differingRanges(good, goodSize, now, nowSize, 16));
    }

    @Test
    void rangesAreTheDifferingBlocksMergedAndEndAtTheFileSize() {
        assertEquals("1048576-2097151", ranges(digests(1, 2, 3), 3L * MIB, digests(1, 9, 3), 3L * MIB));
        assertEquals("0-2097151", ranges(digests(1, 2, 3), 3L * MIB, digests(8, 9, 3), 3L * MIB));
        assertEquals("0-1048575,2097152-2099152", ranges(digests(1, 2, 3), 2L * MIB + 2001, digests(8, 2, 7), 2L * MIB + 2001));
        assertEquals("2097152-2100151", ranges(digests(1, 2), 2L * MIB, digests(1, 2, 3), 2L * MIB + 3000), "grown");
    }

    @Test
    void rangesRoundTripThroughTheirText() {
        List<long[]> ranges = Finding.parseRanges("0-1048575,2097152-2100000");
        assertEquals("0-1048575,2097152-2100000", Finding.formatRanges(ranges));
        assertEquals(List.of(), Finding.parseRanges(null));
    }

    @Test
    void aFindingLineRendersRawNamesReversibly() {
        Finding finding = new Finding("/d/a\nb\u00ff".getBytes(StandardCharsets.ISO_8859_1), List.of(new long[] {0, 4095}),
                0, 0, true, 4096);
        assertEquals("CORRUPT /d/a\\x0ab\\xff: bytes 0-4095 differ; size/mtime/ctime unchanged; last good 1970-01-01", finding.line());
    }

    @Test
    void nestedRootsAreWalkedOnce() {
        Scrubber.Options options = new Scrubber.Options(List.of(bytes("/a/b"), bytes("/a"), bytes("/ab"), bytes("/a/b/c")),
                null, null, 0, Duration.ZERO, 0, 0, new PathFilter(List.of(), List.of()), false, false);
        assertEquals(List.of("/a", "/ab"), options.roots().stream().map(root -> new String(root, StandardCharsets.UTF_8)).toList());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
