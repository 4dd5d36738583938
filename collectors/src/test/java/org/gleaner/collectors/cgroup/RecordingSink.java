package org.gleaner.collectors.cgroup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gleaner.collectors.MetricSink;

/** Keeps the last value of every path a collector reported. */
final class RecordingSink implements MetricSink {
    final Map<List<String>, Double> gauges = new LinkedHashMap<>();
    final Map<List<String>, Long> counters = new LinkedHashMap<>();

    @Override
    public void gauge(long readMillis, double value, String... path) {
        gauges.put(List.of(path), value);
    }

    @Override
    public void counter(long readMillis, long value, String... path) {
        counters.put(List.of(path), value);
    }

    Long counter(String... path) {
        return counters.get(List.of(path));
    }

    Double gauge(String... path) {
        return gauges.get(List.of(path));
    }

    /** Every path reported for the unit whose name starts with {@code unit}, for failure messages. */
    String dump(String... unit) {
        StringBuilder text = new StringBuilder();
        List<String> prefix = List.of(unit);
        counters.forEach((path, value) -> append(text, prefix, path, value));
        gauges.forEach((path, value) -> append(text, prefix, path, value));
        return text.toString();
    }

    private static void append(StringBuilder text, List<String> prefix, List<String> path, Object value) {
        if (path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix)) {
            text.append(String.join(".", path)).append(' ').append(value).append('\n');
        }
    }
}
