package org.gleaner.agent.daemon;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.gleaner.agent.config.AgentConfig.CounterMode;
import org.gleaner.agent.pipeline.Datapoint;
import org.gleaner.agent.pipeline.Delivery;
import org.gleaner.agent.systemd.SdNotify;
import org.gleaner.collectors.Collector;

/**
 * The collection loop. Cycles start on wall-clock multiples of the interval (so every host's
 * datapoints line up and the loop never drifts); a tick missed because the previous cycle ran
 * late (or the machine was suspended) is skipped and counted. In each cycle every collector runs
 * on its own thread with its own deadline; then the cycle's datapoints and the agent's own
 * metrics are handed to the delivery in one batch.
 */
public final class Agent {
    private static final Logger LOG = Logger.getLogger("org.gleaner.agent");

    /**
     * A collector ready to run, with the name it is reported under, its per-run deadline and how
     * often it runs: in the first cycle of every period of {@code every} on the wall clock (so at
     * aligned ticks when {@code every} is a multiple of the agent's interval); every cycle if it is
     * not longer than the agent's interval.
     */
    public record NamedCollector(String name, Collector collector, Duration timeout, Duration every) {
        public NamedCollector(String name, Collector collector, Duration timeout) {
            this(name, collector, timeout, Duration.ZERO);
        }
    }

    private final long intervalMillis;
    private final String prefix;
    private final CounterMode counterMode;
    private final List<CollectorRunner> runners = new ArrayList<>();
    private final Delivery delivery;
    private final Duration drainLimit;
    private final SdNotify notify;
    private final SelfMetrics selfMetrics;
    private final Counter skippedTicks;
    private final Counter datapoints;
    private final Counter deliveryErrors;
    private final DistinctErrors loggedDeliveryErrors = new DistinctErrors();
    private final BlockingQueue<CollectorRunner.Finished> finished = new LinkedBlockingQueue<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicBoolean stoppingSent = new AtomicBoolean();

    public Agent(Duration interval, String prefix, CounterMode counterMode, List<NamedCollector> collectors,
                 Delivery delivery, Duration drainLimit, MetricRegistry registry, SdNotify notify) {
        this.intervalMillis = interval.toMillis();
        this.prefix = prefix;
        this.counterMode = counterMode;
        this.delivery = delivery;
        this.drainLimit = drainLimit;
        this.notify = notify;
        this.selfMetrics = new SelfMetrics(registry, prefix + ".gleaner");
        this.skippedTicks = registry.counter("ticks.skipped");
        this.datapoints = registry.counter("datapoints");
        this.deliveryErrors = registry.counter("delivery.errors");
        Counter resets = registry.counter("counters.resets");
        Counter duplicates = registry.counter("counters.duplicates");
        for (NamedCollector collector : collectors) {
            runners.add(new CollectorRunner(collector.name(), collector.collector(), collector.timeout(), collector.every(), registry,
                    new CounterRates(resets, duplicates), new SeriesNames(prefix + "." + MetricNames.escape(collector.name()))));
        }
    }

    /** Asks the loop to stop after the current cycle (from a signal handler: tells systemd at once). */
    public void stop() {
        sendStopping();
        stopRequested.countDown();
    }

    /** Runs {@code cycles} cycles (0: until stopped), then drains the delivery for a bounded time. */
    public void run(long cycles) throws IOException {
        try {
            notify.send("READY=1\nSTATUS=collecting every " + intervalMillis + "ms from " + names());
            long tick = alignedAfter(System.currentTimeMillis());
            for (long cycle = 1; cycles == 0 || cycle <= cycles; cycle++) {
                tick = waitFor(tick);
                if (tick < 0) {
                    break;
                }
                int sent = runCycle(cycle, tick);
                long now = System.currentTimeMillis();
                long next = tick + intervalMillis;
                if (now >= next) {
                    long missed = (now - next) / intervalMillis + 1;
                    skippedTicks.inc(missed);
                    LOG.warning("cycle " + cycle + " ended " + (now - tick) + "ms after its tick; skipped "
                            + missed + " tick(s)");
                    next += missed * intervalMillis;
                }
                tick = next;
                notify.send((notify.watchdogEnabled() ? "WATCHDOG=1\n" : "") + "STATUS=cycle " + cycle + ": "
                        + sent + " datapoints, " + skippedTicks.getCount() + " skipped ticks, "
                        + deliveryErrors.getCount() + " delivery errors");
            }
        } finally {
            sendStopping();
            runners.forEach(CollectorRunner::close);
            delivery.close(drainLimit);
            notify.close();
        }
    }

    private void sendStopping() {
        if (stoppingSent.compareAndSet(false, true)) {
            notify.send("STOPPING=1\nSTATUS=stopping");
        }
    }

    private String names() {
        return runners.isEmpty() ? "no collectors" : String.join(", ", runners.stream().map(CollectorRunner::name).toList());
    }

    long alignedAfter(long millis) {
        return (millis / intervalMillis + 1) * intervalMillis;
    }

    /**
     * Sleeps until {@code tick}, feeding the watchdog meanwhile, and returns the tick reached, or -1
     * if a stop was requested. If the wall clock is stepped back (NTP, an admin), the wait is
     * re-aligned to the next tick from the new time instead of lasting as long as the step.
     */
    private long waitFor(long tick) {
        long target = tick;
        try {
            while (true) {
                long now = System.currentTimeMillis();
                if (target - now > intervalMillis) {
                    LOG.warning("the wall clock went back by more than the interval; re-aligning the ticks");
                    target = alignedAfter(now);
                }
                long remaining = target - now;
                if (remaining <= 0) {
                    return stopRequested.getCount() > 0 ? target : -1;
                }
                long slice = notify.watchdogEnabled() ? Math.min(remaining, notify.watchdogInterval().toMillis()) : remaining;
                if (stopRequested.await(Math.max(1, slice), TimeUnit.MILLISECONDS)) {
                    return -1;
                }
                if (notify.watchdogEnabled() && slice < remaining) {
                    notify.send("WATCHDOG=1");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * One cycle: starts every collector due at {@code tick}, takes each run as it ends or abandons it
     * at its deadline, delivers.
     */
    private int runCycle(long cycle, long tick) throws IOException {
        long start = System.currentTimeMillis();
        List<CollectorRunner> pending = new ArrayList<>();
        for (CollectorRunner runner : runners) {
            if (runner.isDue(tick) && runner.start(cycle, finished)) {
                pending.add(runner);
            }
        }
        List<Datapoint> batch = new ArrayList<>();
        while (!pending.isEmpty()) {
            long earliestDeadline = Long.MAX_VALUE;
            for (CollectorRunner runner : pending) {
                earliestDeadline = Math.min(earliestDeadline, start + runner.timeout().toMillis());
            }
            CollectorRunner.Finished done = poll(earliestDeadline - System.currentTimeMillis());
            if (done == null) {
                long now = System.currentTimeMillis();
                pending.removeIf(runner -> {
                    if (now < start + runner.timeout().toMillis()) {
                        return false;
                    }
                    runner.abandon();
                    return true;
                });
            } else if (done.cycle() == cycle && pending.remove(done.runner())) {
                List<Sample> samples = done.runner().finished(done.failure());
                toDatapoints(done.runner(), samples, done.failure() == null, batch);
            }
        }
        datapoints.inc(batch.size());
        batch.addAll(selfMetrics.snapshot(System.currentTimeMillis()));
        try {
            delivery.submit(batch);
        } catch (StdoutDelivery.OutputClosedException closed) {
            throw closed;
        } catch (IOException e) {
            deliveryErrors.inc();
            String message = DistinctErrors.describe(e);
            if (loggedDeliveryErrors.isNew(message)) {
                LOG.warning("cannot deliver cycle " + cycle + ": " + message + " (logged once; counted in gleaner.delivery.errors)");
            }
        }
        return batch.size();
    }

    private CollectorRunner.Finished poll(long millis) {
        try {
            return finished.poll(Math.max(0, millis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void toDatapoints(CollectorRunner runner, List<Sample> samples, boolean complete, List<Datapoint> out) {
        SeriesNames names = runner.names();
        CounterRates rates = runner.rates();
        names.beginRun();
        rates.beginRun();
        for (Sample sample : samples) {
            String name = names.name(sample.path());
            long seconds = Math.floorDiv(sample.readMillis(), 1000);
            if (!sample.counter()) {
                if (Double.isFinite(sample.gauge())) {
                    out.add(new Datapoint(name, sample.gauge(), seconds));
                }
            } else if (counterMode == CounterMode.RAW) {
                out.add(new Datapoint(name, sample.count(), seconds));
            } else {
                double rate = rates.rate(name, sample.count(), sample.readMillis());
                if (!Double.isNaN(rate)) {
                    out.add(new Datapoint(name, rate, seconds));
                }
            }
        }
        if (complete) {
            names.forgetUnseen();
            rates.forgetUnseen();
        }
    }
}
