package org.gleaner.agent.daemon;

import java.util.ArrayList;
import java.util.List;
import org.gleaner.collectors.MetricSink;

/**
 * Gathers one collector run's samples on the collector's thread. Sealed when the run finishes or
 * is abandoned: a collector that overran its deadline and wakes up later writes into nothing.
 */
final class CycleSink implements MetricSink {
    private final List<Sample> samples = new ArrayList<>();
    private boolean sealed;

    @Override
    public synchronized void gauge(long readMillis, double value, String... path) {
        if (!sealed) {
            samples.add(new Sample(path.clone(), false, 0, value, readMillis));
        }
    }

    @Override
    public synchronized void counter(long readMillis, long value, String... path) {
        if (!sealed) {
            samples.add(new Sample(path.clone(), true, value, 0, readMillis));
        }
    }

    /** Stops accepting samples and returns those gathered so far. */
    synchronized List<Sample> seal() {
        sealed = true;
        return samples;
    }
}
