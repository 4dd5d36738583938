package org.gleaner.agent.daemon;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metered;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Sampling;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gleaner.agent.pipeline.Datapoint;

/**
 * Turns the agent's own {@link MetricRegistry} (collectors, loop, delivery, JVM) into datapoints
 * under {@code {prefix}.gleaner.}, sent through the same pipeline as everything else. Counts are
 * sent as they are (cumulative), like metrics-graphite does.
 */
final class SelfMetrics {
    private final MetricRegistry registry;
    private final String base;

    SelfMetrics(MetricRegistry registry, String base) {
        this.registry = registry;
        this.base = base;
    }

    List<Datapoint> snapshot(long nowMillis) {
        long seconds = nowMillis / 1000;
        List<Datapoint> out = new ArrayList<>();
        for (Map.Entry<String, Gauge> entry : registry.getGauges().entrySet()) {
            Object value = entry.getValue().getValue();
            if (value instanceof Number number) {
                add(out, entry.getKey(), null, number.doubleValue(), seconds);
            } else if (value instanceof Boolean flag) {
                add(out, entry.getKey(), null, flag ? 1 : 0, seconds);
            }
        }
        registry.getCounters().forEach((name, counter) -> add(out, name, null, counter.getCount(), seconds));
        registry.getHistograms().forEach((name, histogram) -> sampled(out, name, histogram, histogram, 1, seconds));
        registry.getMeters().forEach((name, meter) -> metered(out, name, meter, seconds));
        for (Map.Entry<String, Timer> entry : registry.getTimers().entrySet()) {
            sampled(out, entry.getKey(), entry.getValue(), entry.getValue(), TimeUnit.MILLISECONDS.toNanos(1), seconds);
            add(out, entry.getKey(), "m1_rate", entry.getValue().getOneMinuteRate(), seconds);
        }
        return out;
    }

    private void sampled(List<Datapoint> out, String name, Counting counting, Sampling sampling, double divisor, long seconds) {
        Snapshot snapshot = sampling.getSnapshot();
        add(out, name, "count", counting.getCount(), seconds);
        add(out, name, "min", snapshot.getMin() / divisor, seconds);
        add(out, name, "max", snapshot.getMax() / divisor, seconds);
        add(out, name, "mean", snapshot.getMean() / divisor, seconds);
        add(out, name, "p50", snapshot.getMedian() / divisor, seconds);
        add(out, name, "p99", snapshot.get99thPercentile() / divisor, seconds);
    }

    private void metered(List<Datapoint> out, String name, Metered meter, long seconds) {
        add(out, name, "count", meter.getCount(), seconds);
        add(out, name, "m1_rate", meter.getOneMinuteRate(), seconds);
    }

    private void add(List<Datapoint> out, String registryName, String suffix, double value, long seconds) {
        if (!Double.isFinite(value)) {
            return;
        }
        String path = MetricNames.join(base, registryName.split("\\.", -1));
        out.add(new Datapoint(suffix == null ? path : path + "." + suffix, value, seconds));
    }
}
