package org.gleaner.collectors.system;

import java.util.List;
import org.gleaner.collectors.MetricSink;

/** One number read from a /proc file, named below the collector: a gauge or a monotonic counter. */
public record Reading(List<String> path, boolean counter, long count, double gauge) {

    public static Reading gauge(double value, String... path) {
        return new Reading(List.of(path), false, 0, value);
    }

    public static Reading counter(long value, String... path) {
        return new Reading(List.of(path), true, value, 0);
    }

    void emitTo(MetricSink sink, long readMillis) {
        String[] components = path.toArray(String[]::new);
        if (counter) {
            sink.counter(readMillis, count, components);
        } else {
            sink.gauge(readMillis, gauge, components);
        }
    }
}
