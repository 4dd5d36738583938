package org.gleaner.collectors.smaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcStatTest {
    private static ProcStat parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ProcStat.parse(bytes, bytes.length);
    }

    @Test
    void commWithParenthesesSpacesAndNewlineRunsToTheLastParenthesis() {
        ProcStat stat = parse("4242 (a) b (c\nd) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 2000 300 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        assertEquals("a) b (c\\x0ad", stat.comm(), "in its human form: the newline is a byte like any other");
        assertEquals(987654, stat.startTime());
        assertFalse(stat.kernelThread());
    }

    @Test
    void kernelThreadFlag() throws Exception {
        byte[] kthreadd = Files.readAllBytes(Path.of("/proc/2/stat"));
        assertTrue(ProcStat.parse(kthreadd, kthreadd.length).kernelThread(), "pid 2 is kthreadd");
        byte[] self = Files.readAllBytes(Path.of("/proc/self/stat"));
        assertFalse(ProcStat.parse(self, self.length).kernelThread());
    }

    @Test
    void malformedIsNull() {
        assertNull(parse(""));
        assertNull(parse("12 (x"));
        assertNull(parse("12 (x) S 1 2"));
        assertNull(parse("12 (x) S 1 2 3 4 5 notanumber 7 8 9 10 11 12 13 14 15 16 17 18 19 20"));
    }
}
