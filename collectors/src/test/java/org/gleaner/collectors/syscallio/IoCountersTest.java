package org.gleaner.collectors.syscallio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IoCountersTest {
    private static final String SAMPLE = """
            rchar: 1077508
            wchar: 1048804
            syscr: 13
            syscw: 4
            read_bytes: 90112
            write_bytes: 4096
            cancelled_write_bytes: 512
            """;

    @Test
    void parsesEveryCounterByName() {
        assertEquals(Optional.of(IoCounters.of(1077508, 1048804, 13, 4, 90112, 4096, 512)), IoCounters.parseProcIo(SAMPLE));
    }

    @Test
    void readsThisThreadsOwnCountersFromProc() throws Exception {
        long tid = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        String text = Files.readString(Path.of("/proc/self/task/" + tid + "/io"));
        assertTrue(IoCounters.parseProcIo(text).isPresent(), text);
    }

    @Test
    void missingOrBrokenCountersGiveNothing() {
        assertFalse(IoCounters.parseProcIo("").isPresent());
        assertFalse(IoCounters.parseProcIo(SAMPLE.replace("syscw: 4\n", "")).isPresent());
        assertFalse(IoCounters.parseProcIo(SAMPLE.replace("syscw: 4", "syscw: four")).isPresent());
        assertFalse(IoCounters.parseProcIo(SAMPLE.replace("syscw: 4", "syscw: -4")).isPresent());
        assertFalse(IoCounters.parseProcIo(SAMPLE.replace("syscw: 4", "syscw: 99999999999999999999")).isPresent());
        assertFalse(IoCounters.parseProcIo(SAMPLE.replace("syscw: 4", "syscw:")).isPresent());
        assertFalse(IoCounters.parseProcIo(SAMPLE.replace("syscw: 4", "syscw: 4 5")).isPresent());
        assertFalse(IoCounters.parseProcIo(SAMPLE.replace("syscw: 4", "syscw : 4")).isPresent(), "not the name syscw");
    }

    @Test
    void otherLinesAndLineEndsAreTolerated() {
        Optional<IoCounters> expected = Optional.of(IoCounters.of(1077508, 1048804, 13, 4, 90112, 4096, 512));
        assertEquals(expected, IoCounters.parseProcIo("no colon here\nfuture_counter: 7\n" + SAMPLE));
        assertEquals(expected, IoCounters.parseProcIo(SAMPLE.replace("\n", "\r\n")));
        assertEquals(expected, IoCounters.parseProcIo(SAMPLE.strip()), "no final newline");
        assertEquals(expected, IoCounters.parseProcIo(SAMPLE.replace(": ", ":\t ")));
    }

    @Test
    void arithmeticIsPerCounter() {
        IoCounters a = IoCounters.of(1, 5, 0, 0, 0, 0, 9);
        IoCounters b = IoCounters.of(2, 3, 0, 0, 0, 0, 9);
        assertEquals(IoCounters.of(1, 0, 0, 0, 0, 0, 0), b.minusClamped(a));
        assertEquals(IoCounters.of(2, 5, 0, 0, 0, 0, 9), a.max(b));
        assertFalse(a.atMost(b));
        assertTrue(a.atMost(a.max(b)));
        assertThrows(IllegalArgumentException.class, () -> IoCounters.of(1, 2));
        assertThrows(IllegalArgumentException.class, () -> IoCounters.of(-1, 0, 0, 0, 0, 0, 0));
    }
}
