package org.gleaner.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.codahale.metrics.MetricRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.gleaner.agent.pipeline.Datapoint;
import org.junit.jupiter.api.Test;

class SelfMetricsTest {
    @Test
    void everyKindOfMetricBecomesDatapointsUnderTheBase() {
        MetricRegistry registry = new MetricRegistry();
        registry.counter("pipeline.sent").inc(42);
        registry.register("spool.bytes", (com.codahale.metrics.Gauge<Long>) () -> 4096L);
        registry.register("odd name.with space", (com.codahale.metrics.Gauge<Double>) () -> Double.NaN);
        registry.register("flag", (com.codahale.metrics.Gauge<Boolean>) () -> true);
        registry.register("text", (com.codahale.metrics.Gauge<String>) () -> "not a number");
        registry.timer("send").update(3, TimeUnit.MILLISECONDS);
        registry.histogram("batch").update(10);
        registry.meter("drops").mark(5);

        Map<String, Double> points = new SelfMetrics(registry, "h.gleaner").snapshot(1_700_000_000_123L).stream()
                .peek(point -> assertEquals(1_700_000_000L, point.epochSeconds()))
                .collect(Collectors.toMap(Datapoint::path, Datapoint::value));
        assertEquals(42.0, points.get("h.gleaner.pipeline.sent"));
        assertEquals(4096.0, points.get("h.gleaner.spool.bytes"));
        assertEquals(1.0, points.get("h.gleaner.flag"));
        assertFalse(points.containsKey("h.gleaner.text"));
        assertFalse(points.keySet().stream().anyMatch(name -> name.contains("odd")), "non-finite values are dropped");
        assertEquals(1.0, points.get("h.gleaner.send.count"));
        assertEquals(3.0, points.get("h.gleaner.send.max"), "timers in milliseconds");
        assertEquals(10.0, points.get("h.gleaner.batch.p99"));
        assertEquals(5.0, points.get("h.gleaner.drops.count"));
    }
}
