package org.gleaner.collectors.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatTextTest {

    private static long parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return StatText.parseLong(b, 0, b.length);
    }

    @Test
    void numbersUpToSixtyThreeBitsOnly() {
        assertEquals(Long.MAX_VALUE, parse("9223372036854775807"));
        assertEquals(StatText.INVALID, parse("9223372036854775808"));
        assertEquals(StatText.INVALID, parse("18446744073709551615"));
        assertEquals(StatText.INVALID, parse("-1"));
        assertEquals(StatText.INVALID, parse(""));
        assertEquals(StatText.INVALID, parse("max"));
        assertEquals(0, parse("0"));
    }

    @Test
    void blkioLinesPassOverSyncAsyncAndTotals() {
        byte[] b = "8:0 Read 4096\n8:0 Write 33554432\n8:0 Sync 1\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 2\nTotal 2\n8:16 Write x\n"
                .getBytes(StandardCharsets.US_ASCII);
        List<String> seen = new ArrayList<>();
        int malformed = StatText.blkio(b, b.length, new StatText.Keys("Read", "Write", "Discard"),
                (major, minor, op, value) -> seen.add(major + ":" + minor + " " + op + " " + value));
        assertEquals(List.of("8:0 0 4096", "8:0 1 33554432", "8:0 2 0"), seen);
        assertEquals(1, malformed);
    }

    @Test
    void pressureLines() {
        byte[] b = "some avg10=12.50 avg60=0.00 avg300=0.00 total=123\nfull avg10=0.01 avg60=0.00 avg300=0.00 total=7\n"
                .getBytes(StandardCharsets.US_ASCII);
        List<String> seen = new ArrayList<>();
        assertEquals(0, StatText.pressure(b, b.length, (kind, avg10, total) -> seen.add(kind + " " + avg10 + " " + total)));
        assertEquals(List.of("0 12.5 123", "1 0.01 7"), seen);
    }
}
