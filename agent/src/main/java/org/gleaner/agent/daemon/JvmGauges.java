package org.gleaner.agent.daemon;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;

/**
 * The JVM's own memory and GC figures among the self-metrics. java.lang.management.MemoryUsage
 * reports an undefined init or max (e.g. Metaspace without -XX:MaxMetaspaceSize) as -1, which no
 * memory figure can really be: such a reading is left out instead of being sent as a value.
 */
public final class JvmGauges {
    private JvmGauges() {}

    public static void register(MetricRegistry registry) {
        registry.register("jvm.gc", new GarbageCollectorMetricSet());
        new MemoryUsageGaugeSet().getMetrics().forEach((name, metric) ->
                registry.register(MetricRegistry.name("jvm.memory", name), definedOnly(metric)));
    }

    private static Metric definedOnly(Metric metric) {
        if (!(metric instanceof Gauge<?> gauge)) {
            return metric;
        }
        return (Gauge<Object>) () -> {
            Object value = gauge.getValue();
            return value instanceof Number number && number.doubleValue() == -1 ? null : value;
        };
    }
}
