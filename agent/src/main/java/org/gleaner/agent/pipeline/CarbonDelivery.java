package org.gleaner.agent.pipeline;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loss-free delivery to carbon: each {@link #submit} is appended to the on-disk {@link Spool} and
 * fdatasync'd before it returns; one {@link GroupSender} thread per destination group drains its
 * own cursor of the spool to that group. See docs/agent-pipeline.md.
 *
 * <p>Self-metrics, registered relative to the daemon's {@code {host}.gleaner.} prefix: the counters
 * of {@link DeliveryMetrics} (totals and per group and destination), {@value #SHORTENED_NAMES}, and
 * the gauges {@value #SPOOL_BYTES}, {@value #SPOOL_OLDEST_AGE_SECONDS} (the group furthest behind),
 * {@value #SPOOL_CORRUPT_RECORDS}, and per group {@code backlog_bytes} and {@code backlog_age_seconds}.
 */
public final class CarbonDelivery implements Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(CarbonDelivery.class);

    public static final String DATAPOINTS_SENT = "pipeline." + DeliveryMetrics.SENT;
    public static final String DATAPOINTS_ACKNOWLEDGED = "pipeline." + DeliveryMetrics.ACKNOWLEDGED;
    public static final String DATAPOINTS_REPLAYED = "pipeline." + DeliveryMetrics.REPLAYED;
    public static final String DATAPOINTS_EXPIRED = "pipeline." + DeliveryMetrics.EXPIRED;
    public static final String SEND_FAILURES = "pipeline." + DeliveryMetrics.SEND_FAILURES;
    public static final String DROPPED_DATAPOINTS = "pipeline." + DeliveryMetrics.DROPPED;
    public static final String RECONNECTS = "pipeline." + DeliveryMetrics.RECONNECTS;
    public static final String DESTINATION_FAILOVERS = "pipeline." + DeliveryMetrics.FAILOVERS;
    public static final String SHORTENED_NAMES = "pipeline.shortened_names";
    public static final String SPOOL_BYTES = "spool.bytes";
    public static final String SPOOL_OLDEST_AGE_SECONDS = "spool.oldest_age_seconds";
    public static final String SPOOL_CORRUPT_RECORDS = "spool.corrupt_records";

    private final Spool spool;
    private final List<GroupSender> senders = new ArrayList<>();
    private final List<DeliveryMetrics.Group> groupMetrics = new ArrayList<>();
    private final LineCap lineCap;
    private final MetricRegistry registry;
    private final List<String> gauges = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean dropping;

    private CarbonDelivery(Spool spool, LineCap lineCap, MetricRegistry registry) {
        this.spool = spool;
        this.lineCap = lineCap;
        this.registry = registry;
    }

    /**
     * Opens (or creates) the spool, registers the self-metrics and starts one sender thread per
     * destination group, which first delivers whatever an earlier run left in the spool.
     */
    public static CarbonDelivery open(CarbonTarget target, SpoolSettings settings, MetricRegistry registry) throws IOException {
        if (target.groups().isEmpty()) {
            throw new IllegalArgumentException("no carbon destination given");
        }
        Spool spool = Spool.open(settings.dir(), settings.maxBytes(), target.groups().size());
        CarbonDelivery delivery = new CarbonDelivery(spool,
                new LineCap(target.tuning().maxLineBytes(), registry.counter(SHORTENED_NAMES)), registry);
        DeliveryMetrics metrics = new DeliveryMetrics(registry);
        for (int index = 0; index < target.groups().size(); index++) {
            CarbonTarget.Group group = target.groups().get(index);
            Spool.Cursor cursor = spool.cursor(index);
            DeliveryMetrics.Group groupMetrics = metrics.group(index, group);
            delivery.groupMetrics.add(groupMetrics);
            String prefix = DeliveryMetrics.groupPrefix(index);
            delivery.registerGauge(prefix + "backlog_bytes", cursor::pendingBytes);
            delivery.registerGauge(prefix + "backlog_age_seconds", () -> oldestAgeSeconds(cursor));
            delivery.senders.add(new GroupSender("group " + index + " " + group.destinations(), spool, cursor, group,
                    target.protocol(), target.tuning(), settings.maxAge(), groupMetrics));
        }
        delivery.registerGauge(SPOOL_BYTES, () -> delivery.worst(Spool.Cursor::pendingBytes));
        delivery.registerGauge(SPOOL_OLDEST_AGE_SECONDS, () -> delivery.worst(CarbonDelivery::oldestAgeSeconds));
        delivery.registerGauge(SPOOL_CORRUPT_RECORDS, spool::corruptRecords);
        delivery.senders.forEach(GroupSender::start);
        return delivery;
    }

    @Override
    public void submit(List<Datapoint> cycle) throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("carbon delivery is closed");
        }
        spool.append(lineCap.apply(cycle));
        long lost = 0;
        for (int index = 0; index < groupMetrics.size(); index++) {
            long dropped = spool.cursor(index).takeDropped();
            groupMetrics.get(index).dropped().inc(dropped);
            lost = Math.max(lost, dropped);
        }
        if (lost > 0 && !dropping) {
            LOG.warn("spool is full: dropping the oldest undelivered datapoints (counted in {}; logged again only after the spool has drained to half)",
                    DROPPED_DATAPOINTS);
        }
        dropping = lost > 0 || dropping && spool.diskBytes() * 2 > spool.maxBytes();
    }

    @Override
    public void close(Duration drainLimit) {
        if (closed.getAndSet(true)) {
            return;
        }
        Thread[] stoppers = senders.stream().map(sender -> new Thread(() -> sender.stop(drainLimit))).toArray(Thread[]::new);
        for (Thread stopper : stoppers) {
            stopper.start();
        }
        for (Thread stopper : stoppers) {
            try {
                stopper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        gauges.forEach(registry::remove);
        try {
            spool.close();
        } catch (IOException e) {
            LOG.warn("closing the spool: {}", e.toString());
        }
    }

    private long worst(ToLongFunction<Spool.Cursor> measure) {
        long worst = 0;
        for (int index = 0; index < senders.size(); index++) {
            worst = Math.max(worst, measure.applyAsLong(spool.cursor(index)));
        }
        return worst;
    }

    private void registerGauge(String name, Gauge<Long> gauge) {
        registry.remove(name);
        registry.register(name, gauge);
        gauges.add(name);
    }

    private static long oldestAgeSeconds(Spool.Cursor cursor) {
        try {
            long oldest = cursor.oldestPendingEpochSeconds();
            return oldest < 0 ? 0 : Math.max(0, System.currentTimeMillis() / 1000 - oldest);
        } catch (IOException e) {
            return 0;
        }
    }
}
