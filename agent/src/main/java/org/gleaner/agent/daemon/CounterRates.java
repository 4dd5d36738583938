package org.gleaner.agent.daemon;

import com.codahale.metrics.Counter;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns one collector's counters into per-second rates over the time measured between two reads
 * (the collector's read timestamps, not the ticks). The first read of a series emits nothing; so
 * does a reset (the value went down: reboot of a device, counter wrap, re-created cgroup), which
 * is counted. Series a successful run no longer reports are forgotten, so memory stays bounded
 * by what currently exists.
 */
final class CounterRates {
    private static final class Last {
        long value;
        long readMillis;
        long run;
    }

    private final Map<String, Last> series = new HashMap<>();
    private final Counter resets;
    private final Counter duplicates;
    private long run;

    CounterRates(Counter resets, Counter duplicates) {
        this.resets = resets;
        this.duplicates = duplicates;
    }

    void beginRun() {
        run++;
    }

    /** The rate since the previous read of {@code name}, or NaN when there is nothing to send yet. */
    double rate(String name, long value, long readMillis) {
        Last last = series.get(name);
        if (last == null) {
            last = new Last();
            series.put(name, last);
        } else if (last.run == run) {
            // two components that differ only in escaped characters map to the same series name
            duplicates.inc();
            return Double.NaN;
        } else if (readMillis > last.readMillis && value >= last.value) {
            double rate = (value - last.value) * 1000.0 / (readMillis - last.readMillis);
            remember(last, value, readMillis);
            return rate;
        } else if (readMillis > last.readMillis) {
            resets.inc();
        } else {
            last.run = run; // same read time: keep the older read as the base of the next rate
            return Double.NaN;
        }
        remember(last, value, readMillis);
        return Double.NaN;
    }

    private void remember(Last last, long value, long readMillis) {
        last.value = value;
        last.readMillis = readMillis;
        last.run = run;
    }

    void forgetUnseen() {
        series.values().removeIf(last -> last.run != run);
    }

    int size() {
        return series.size();
    }
}
