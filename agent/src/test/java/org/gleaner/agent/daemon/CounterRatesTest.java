package org.gleaner.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Counter;
import org.junit.jupiter.api.Test;

class CounterRatesTest {
    final Counter resets = new Counter();
    final Counter duplicates = new Counter();
    final CounterRates rates = new CounterRates(resets, duplicates);

    double read(String name, long value, long millis) {
        rates.beginRun();
        double rate = rates.rate(name, value, millis);
        rates.forgetUnseen();
        return rate;
    }

    @Test
    void firstReadEmitsNothingThenDeltaOverMeasuredElapsedTime() {
        assertTrue(Double.isNaN(read("a", 1000, 10_000)));
        assertEquals(250.0, read("a", 1500, 12_000), 1e-9, "500 over 2 s");
        assertEquals(2000.0, read("a", 1600, 12_050), 1e-9, "100 over 50 ms: the read times count, not the ticks");
        assertEquals(0.0, read("a", 1600, 13_050), 1e-9);
        assertEquals(0, resets.getCount());
    }

    @Test
    void resetEmitsNothingAndIsCountedThenRatesResume() {
        read("a", 1000, 1_000);
        assertTrue(Double.isNaN(read("a", 10, 2_000)));
        assertEquals(1, resets.getCount());
        assertEquals(40.0, read("a", 50, 3_000), 1e-9);
    }

    @Test
    void sameReadTimeKeepsTheOlderBase() {
        read("a", 100, 1_000);
        assertTrue(Double.isNaN(read("a", 150, 1_000)));
        assertEquals(100.0, read("a", 300, 3_000), 1e-9);
    }

    @Test
    void seriesThatDisappearAreForgotten() {
        rates.beginRun();
        rates.rate("a", 1, 1_000);
        rates.rate("b", 1, 1_000);
        rates.forgetUnseen();
        assertEquals(2, rates.size());
        read("a", 2, 2_000);
        assertEquals(1, rates.size(), "b was not reported by the last run");
        assertTrue(Double.isNaN(read("b", 5, 3_000)), "a returning series starts over");
    }

    @Test
    void aNameReportedTwiceInOneRunIsCountedNotRated() {
        read("a", 1, 1_000);
        rates.beginRun();
        assertEquals(1.0, rates.rate("a", 2, 2_000), 1e-9);
        assertTrue(Double.isNaN(rates.rate("a", 7, 2_000)));
        assertEquals(1, duplicates.getCount());
    }
}
