package org.gleaner.agent.daemon;

import com.codahale.metrics.Counter;
import com.codahale.metrics.DefaultSettableGauge;
import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.gleaner.collectors.Collector;

/**
 * Runs one collector on its own thread, once per cycle, with its own deadline. A run that overruns
 * is abandoned (interrupted, its samples dropped) and counted; while it is still stuck, no second
 * run is started — those cycles count as overruns too.
 */
final class CollectorRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.gleaner.agent");

    /** A run's end, reported to the agent loop through its queue. */
    record Finished(CollectorRunner runner, long cycle, Throwable failure) {}

    private final String name;
    private final Collector collector;
    private final Duration timeout;
    private final long everyMillis;
    /** The period of {@code everyMillis} in which it last ran (-1: never). */
    private long lastPeriod = -1;
    private final ExecutorService executor;
    private final AtomicBoolean running = new AtomicBoolean();
    private final DistinctErrors loggedErrors = new DistinctErrors();
    private final Counter errors;
    private final Counter overruns;
    private final DefaultSettableGauge<Long> durationMillis = new DefaultSettableGauge<>(0L);
    private final DefaultSettableGauge<Integer> datapoints = new DefaultSettableGauge<>(0);
    private final CounterRates rates;
    private final SeriesNames names;
    private Future<?> current;
    private CycleSink sink;
    private long startedNanos;
    private boolean overrunning;

    CollectorRunner(String name, Collector collector, Duration timeout, Duration every, MetricRegistry registry,
                    CounterRates rates, SeriesNames names) {
        this.name = name;
        this.collector = collector;
        this.timeout = timeout;
        this.everyMillis = Math.max(1, every.toMillis());
        this.rates = rates;
        this.names = names;
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "collector-" + name);
            thread.setDaemon(true);
            return thread;
        });
        String base = MetricRegistry.name("collector", name);
        errors = registry.counter(MetricRegistry.name(base, "errors"));
        overruns = registry.counter(MetricRegistry.name(base, "overruns"));
        registry.register(MetricRegistry.name(base, "duration_ms"), durationMillis);
        registry.register(MetricRegistry.name(base, "datapoints"), datapoints);
    }

    String name() {
        return name;
    }

    Duration timeout() {
        return timeout;
    }

    CounterRates rates() {
        return rates;
    }

    SeriesNames names() {
        return names;
    }

    /** Whether the cycle of {@code tickMillis} is the first one in a new period of its own interval. */
    boolean isDue(long tickMillis) {
        long period = tickMillis / everyMillis;
        if (period == lastPeriod) {
            return false;
        }
        lastPeriod = period;
        return true;
    }

    /**
     * Starts this cycle's run; returns false (and counts an overrun) when the previous run is
     * still stuck in the collector.
     */
    boolean start(long cycle, BlockingQueue<Finished> finished) {
        if (running.get()) {
            overran("is still stuck in its previous run; skipped this cycle");
            return false;
        }
        running.set(true);
        CycleSink cycleSink = new CycleSink();
        sink = cycleSink;
        startedNanos = System.nanoTime();
        current = executor.submit(() -> {
            Throwable failure = null;
            try {
                collector.collect(cycleSink);
            } catch (Throwable error) {
                failure = error;
            } finally {
                running.set(false);
                finished.add(new Finished(this, cycle, failure));
            }
        });
        return true;
    }

    /** The run ended before its deadline: its samples (those reported before a failure, too). */
    List<Sample> finished(Throwable failure) {
        durationMillis.setValue((System.nanoTime() - startedNanos) / 1_000_000);
        List<Sample> samples = sink.seal();
        overrunning = false;
        if (failure != null) {
            errors.inc();
            String message = DistinctErrors.describe(failure);
            if (loggedErrors.isNew(message)) {
                LOG.log(Level.WARNING, "collector " + name + " failed: " + message
                        + " (logged once; counted in gleaner.collector." + name + ".errors)");
            }
        }
        datapoints.setValue(samples.size());
        return samples;
    }

    /** The deadline passed: interrupts the run and drops whatever it reported. */
    void abandon() {
        sink.seal();
        current.cancel(true);
        durationMillis.setValue(timeout.toMillis());
        datapoints.setValue(0);
        overran("overran its " + timeout.toMillis() + "ms deadline; abandoned this cycle");
    }

    private void overran(String what) {
        overruns.inc();
        if (!overrunning) {
            LOG.warning("collector " + name + " " + what + " (counted in gleaner.collector." + name + ".overruns)");
        }
        overrunning = true;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            collector.close();
        } catch (Exception e) {
            LOG.fine("collector " + name + " did not close cleanly: " + DistinctErrors.describe(e));
        }
    }
}
