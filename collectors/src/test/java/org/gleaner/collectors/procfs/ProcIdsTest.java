package org.gleaner.collectors.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProcIdsTest {
    @Test
    void onlyDecimalNamesThatFitAreIds() {
        assertEquals(1, ProcIds.parse("1"));
        assertEquals(4194304, ProcIds.parse("4194304"));
        assertEquals(999999999, ProcIds.parse("999999999"));
        assertEquals(-1, ProcIds.parse("1000000000"));
        assertEquals(-1, ProcIds.parse(""));
        assertEquals(-1, ProcIds.parse("self"));
        assertEquals(-1, ProcIds.parse("12a"));
        assertEquals(-1, ProcIds.parse("-1"));
    }
}
