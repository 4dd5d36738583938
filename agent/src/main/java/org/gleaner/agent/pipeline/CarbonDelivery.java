package org.gleaner.agent.pipeline;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loss-free delivery to carbon: each {@link #submit} is appended to the on-disk {@link Spool} and
 * fdatasync'd before it returns; a {@link CarbonSender} thread drains the spool to the carbon
 * destinations. See docs/agent-pipeline.md.
 *
 * <p>Self-metrics, registered relative to the daemon's {@code {host}.gleaner.} prefix:
 * {@value #DATAPOINTS_SENT}, {@value #SEND_FAILURES}, {@value #DROPPED_DATAPOINTS},
 * {@value #RECONNECTS}, {@value #DESTINATION_FAILOVERS} (counters), {@value #SPOOL_BYTES},
 * {@value #SPOOL_OLDEST_AGE_SECONDS}, {@value #SPOOL_CORRUPT_RECORDS} (gauges).
 */
public final class CarbonDelivery implements Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(CarbonDelivery.class);

    public static final String DATAPOINTS_SENT = "pipeline.datapoints_sent";
    public static final String SEND_FAILURES = "pipeline.send_failures";
    public static final String DROPPED_DATAPOINTS = "pipeline.dropped_datapoints";
    public static final String RECONNECTS = "pipeline.reconnects";
    public static final String DESTINATION_FAILOVERS = "pipeline.destination_failovers";
    public static final String SPOOL_BYTES = "spool.bytes";
    public static final String SPOOL_OLDEST_AGE_SECONDS = "spool.oldest_age_seconds";
    public static final String SPOOL_CORRUPT_RECORDS = "spool.corrupt_records";
    /** How long one write may block before the connection is considered stuck. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> GAUGES = List.of(SPOOL_BYTES, SPOOL_OLDEST_AGE_SECONDS, SPOOL_CORRUPT_RECORDS);

    private final Spool spool;
    private final CarbonSender sender;
    private final Counter dropped;
    private final MetricRegistry registry;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CarbonDelivery(Spool spool, CarbonSender sender, Counter dropped, MetricRegistry registry) {
        this.spool = spool;
        this.sender = sender;
        this.dropped = dropped;
        this.registry = registry;
    }

    /**
     * Opens (or creates) the spool, registers the self-metrics and starts the sender thread, which
     * first delivers whatever an earlier run left in the spool.
     */
    public static CarbonDelivery open(CarbonTarget target, SpoolSettings spool, MetricRegistry registry) throws IOException {
        return open(target, spool, registry, WRITE_TIMEOUT);
    }

    /** As {@link #open(CarbonTarget, SpoolSettings, MetricRegistry)}, with a write timeout other than 30 s. */
    static CarbonDelivery open(CarbonTarget target, SpoolSettings spool, MetricRegistry registry, Duration writeTimeout)
            throws IOException {
        if (target.destinations().isEmpty()) {
            throw new IllegalArgumentException("no carbon destination given");
        }
        Spool opened = Spool.open(spool.dir(), spool.maxBytes());
        CarbonSender.Counters counters = new CarbonSender.Counters(registry.counter(DATAPOINTS_SENT),
                registry.counter(SEND_FAILURES), registry.counter(RECONNECTS), registry.counter(DESTINATION_FAILOVERS));
        CarbonSender sender = new CarbonSender(opened, target, counters, writeTimeout);
        CarbonDelivery delivery = new CarbonDelivery(opened, sender, registry.counter(DROPPED_DATAPOINTS), registry);
        delivery.registerGauge(SPOOL_BYTES, opened::pendingBytes);
        delivery.registerGauge(SPOOL_OLDEST_AGE_SECONDS, delivery::oldestAgeSeconds);
        delivery.registerGauge(SPOOL_CORRUPT_RECORDS, opened::corruptRecords);
        sender.start();
        return delivery;
    }

    @Override
    public void submit(List<Datapoint> cycle) throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("carbon delivery is closed");
        }
        sender.abortIfStuck();
        dropped.inc(spool.append(cycle));
    }

    @Override
    public void close(Duration drainLimit) {
        if (closed.getAndSet(true)) {
            return;
        }
        sender.stop(drainLimit);
        GAUGES.forEach(registry::remove);
        try {
            spool.close();
        } catch (IOException e) {
            LOG.warn("closing the spool: {}", e.toString());
        }
    }

    private void registerGauge(String name, Gauge<Long> gauge) {
        registry.remove(name);
        registry.register(name, gauge);
    }

    private long oldestAgeSeconds() {
        try {
            long oldest = spool.oldestPendingEpochSeconds();
            return oldest < 0 ? 0 : Math.max(0, System.currentTimeMillis() / 1000 - oldest);
        } catch (IOException e) {
            return 0;
        }
    }
}
