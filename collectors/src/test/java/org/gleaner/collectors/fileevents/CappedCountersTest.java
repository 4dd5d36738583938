package org.gleaner.collectors.fileevents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CappedCountersTest {

    private static void add(CappedCounters counters, String name, int times) {
        for (int i = 0; i < times; i++) {
            counters.add(name);
        }
    }

    @Test
    void theBusiestNamesTakeTheSlotsAndTheRestIsOther() {
        CappedCounters counters = new CappedCounters(2);
        add(counters, "make", 5);
        add(counters, "cc1", 9);
        add(counters, "sh", 1);
        add(counters, "rare", 2);
        CappedCounters.Snapshot snapshot = counters.snapshot();
        assertEquals(Map.of("cc1", 9L, "make", 5L), snapshot.named());
        assertEquals(3, snapshot.other());
    }

    @Test
    void everyValueIsMonotonicAndNothingIsLostWhenSlotsAreTaken() {
        CappedCounters counters = new CappedCounters(2);
        add(counters, "a", 1);
        CappedCounters.Snapshot first = counters.snapshot();
        add(counters, "b", 100);
        add(counters, "c", 50);
        CappedCounters.Snapshot second = counters.snapshot();
        add(counters, "a", 1);
        add(counters, "c", 7);
        CappedCounters.Snapshot third = counters.snapshot();
        assertEquals(Map.of("a", 1L), first.named());
        assertEquals(Map.of("a", 1L, "b", 100L), second.named(), "a keeps its slot though b and c are busier now");
        assertEquals(50, second.other());
        assertEquals(Map.of("a", 2L, "b", 100L), third.named());
        assertEquals(57, third.other());
        long total = third.named().values().stream().mapToLong(Long::longValue).sum() + third.other();
        assertEquals(159, total);
    }

    @Test
    void aFloodOfDistinctNamesStaysBoundedAndCounted() {
        CappedCounters counters = new CappedCounters(3);
        for (int i = 0; i < 50_000; i++) {
            counters.add("p" + i);
        }
        CappedCounters.Snapshot snapshot = counters.snapshot();
        assertEquals(3, snapshot.named().size());
        assertEquals(50_000 - 3, snapshot.other());
        assertTrue(snapshot.named().values().stream().allMatch(count -> count == 1));
    }
}
