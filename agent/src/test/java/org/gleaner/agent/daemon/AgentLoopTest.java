package org.gleaner.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.gleaner.agent.config.AgentConfig.CounterMode;
import org.gleaner.agent.daemon.Agent.NamedCollector;
import org.gleaner.agent.systemd.SdNotify;
import org.gleaner.collectors.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real loop, real threads and the real stdout delivery into a buffer; collectors are scripted. */
class AgentLoopTest {
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final MetricRegistry registry = new MetricRegistry();
    final List<String> logged = new ArrayList<>();
    final Logger agentLog = Logger.getLogger("org.gleaner.agent");
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        agentLog.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        agentLog.removeHandler(capture);
    }

    List<String> run(Duration interval, CounterMode mode, long cycles, NamedCollector... collectors) throws Exception {
        Agent agent = new Agent(interval, "h", mode, List.of(collectors),
                new StdoutDelivery(new PrintStream(output, true, StandardCharsets.UTF_8)), Duration.ZERO, registry,
                SdNotify.fromEnvironment());
        agent.run(cycles);
        return output.toString(StandardCharsets.UTF_8).lines().toList();
    }

    static List<String> named(List<String> lines, String prefix) {
        return lines.stream().filter(line -> line.startsWith(prefix + " ")).toList();
    }

    @Test
    void anOverrunningCollectorIsAbandonedAndCountedWhileTheOthersArriveOnTime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger stuckRuns = new AtomicInteger();
        Collector stuck = sink -> {
            stuckRuns.incrementAndGet();
            sink.gauge(System.currentTimeMillis(), 1, "before_deadline");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (release.getCount() > 0 && System.nanoTime() < until) {
                try {
                    release.await(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ignoredOnPurpose) {
                    // a collector stuck in an uninterruptible read: the interrupt does not help
                }
            }
        };
        AtomicInteger fastRuns = new AtomicInteger();
        Collector fast = sink -> sink.gauge(System.currentTimeMillis(), fastRuns.incrementAndGet(), "value");
        try {
            List<String> lines = run(Duration.ofMillis(1000), CounterMode.RATE, 4,
                    new NamedCollector("stuck", stuck, Duration.ofMillis(200)),
                    new NamedCollector("fast", fast, Duration.ofMillis(800)));
            assertEquals(4, named(lines, "h.fast.value").size(), "the fast collector reported every cycle: " + lines);
            assertTrue(lines.stream().noneMatch(line -> line.startsWith("h.stuck.")), "abandoned samples are dropped");
            assertEquals(1, stuckRuns.get(), "no second run while the first is stuck");
            assertEquals(4, registry.counter("collector.stuck.overruns").getCount());
            assertEquals(0, registry.counter("collector.fast.overruns").getCount());
            assertEquals(0, registry.counter("ticks.skipped").getCount(), "the stuck collector did not delay the loop");
            assertEquals(1, logged.stream().filter(message -> message.contains("collector stuck")).count(), logged.toString());
            assertEquals("4", lastValue(lines, "h.gleaner.collector.stuck.overruns"), "sent as a self-metric");
        } finally {
            release.countDown();
        }
    }

    @Test
    void anErrorIsLoggedOncePerDistinctMessageAndCountedEveryTime() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Collector failing = sink -> {
            int run = runs.incrementAndGet();
            sink.gauge(System.currentTimeMillis(), run, "partial");
            throw new IllegalStateException(run <= 2 ? "disk on fire" : "disk still on fire");
        };
        List<String> lines = run(Duration.ofMillis(1000), CounterMode.RATE, 4,
                new NamedCollector("failing", failing, Duration.ofMillis(800)));
        assertEquals(0, registry.counter("collector.failing.overruns").getCount(), "a loaded machine overran the deadline");
        assertEquals(4, registry.counter("collector.failing.errors").getCount());
        List<String> failures = logged.stream().filter(message -> message.contains("collector failing failed")).toList();
        assertEquals(2, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("IllegalStateException: disk on fire"), failures.get(0));
        assertEquals(4, named(lines, "h.failing.partial").size(), "values read before the failure are kept");
        assertEquals("4", lastValue(lines, "h.gleaner.collector.failing.errors"));
    }

    static String lastValue(List<String> lines, String name) {
        List<String> matching = named(lines, name);
        return matching.get(matching.size() - 1).split(" ")[1];
    }

    /** Scripted counters with scripted read times: the rate uses the read times, not the ticks. */
    static Collector scriptedCounter(long[][] readsAndValues) {
        AtomicInteger run = new AtomicInteger();
        return sink -> {
            long[] read = readsAndValues[run.getAndIncrement()];
            sink.counter(read[0], read[1], "bytes");
        };
    }

    /** Generous deadlines: a loaded build machine must not turn these into overrun tests. */
    List<String> runScript(CounterMode mode) throws Exception {
        List<String> lines = run(Duration.ofMillis(1000), mode, 4, new NamedCollector("c", scriptedCounter(SCRIPT), Duration.ofMillis(800)));
        assertEquals(0, registry.counter("collector.c.overruns").getCount(), lines.toString());
        return lines;
    }

    static final long[][] SCRIPT = {{1_000_000, 100}, {1_002_000, 300}, {1_003_000, 50}, {1_003_500, 100}};

    @Test
    void countersBecomeRatesOverTheReadTimes() throws Exception {
        List<String> lines = runScript(CounterMode.RATE);
        assertEquals(List.of("h.c.bytes 100 1002", "h.c.bytes 100 1003"), named(lines, "h.c.bytes"),
                "first read: nothing; 200 over 2 s; a reset: nothing; 50 over 0.5 s");
        assertEquals(1, registry.counter("counters.resets").getCount());
    }

    @Test
    void rawModeSendsCountersAsTheyAre() throws Exception {
        List<String> lines = runScript(CounterMode.RAW);
        assertEquals(List.of("h.c.bytes 100 1000", "h.c.bytes 300 1002", "h.c.bytes 50 1003", "h.c.bytes 100 1003"),
                named(lines, "h.c.bytes"));
        assertEquals(0, registry.counter("counters.resets").getCount());
    }

    @Test
    void aCycleThatRunsPastTheNextTickSkipsItAndCountsIt() throws Exception {
        Collector slow = sink -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException abandoned) {
                Thread.currentThread().interrupt();
            }
        };
        List<String> lines = run(Duration.ofMillis(200), CounterMode.RATE, 2, new NamedCollector("slow", slow, Duration.ofMillis(200)));
        assertTrue(registry.counter("ticks.skipped").getCount() >= 1, lines.toString());
        assertTrue(logged.stream().anyMatch(message -> message.matches("cycle 1 ended \\d+ms after its tick; skipped \\d+ tick\\(s\\)")),
                logged.toString());
    }

    @Test
    void aCollectorWithALongerIntervalRunsInTheFirstCycleThenOncePerPeriodOfItsOwn() throws Exception {
        List<Long> everyCycle = new ArrayList<>();
        List<Long> slower = new ArrayList<>();
        Collector fast = sink -> everyCycle.add(System.currentTimeMillis());
        Collector memoryLike = sink -> slower.add(System.currentTimeMillis());
        run(Duration.ofMillis(200), CounterMode.RATE, 7, new NamedCollector("fast", fast, Duration.ofMillis(150)),
                new NamedCollector("slow", memoryLike, Duration.ofMillis(150), Duration.ofMillis(600)));
        assertEquals(everyCycle.get(0) / 200, slower.get(0) / 200, "both run in the first cycle");
        assertTrue(slower.size() >= 2 && slower.size() < everyCycle.size(), slower + " vs " + everyCycle);
        // a run starts just after its tick: the 200ms step it starts in is its tick's
        assertEquals(slower.size(), slower.stream().map(millis -> millis / 200 / 3).distinct().count(),
                "never twice in one 600ms period: " + slower);
    }

    @Test
    void ticksAreAlignedToTheInterval() {
        Agent agent = new Agent(Duration.ofSeconds(10), "h", CounterMode.RATE, List.of(),
                new StdoutDelivery(new PrintStream(output, true, StandardCharsets.UTF_8)), Duration.ZERO, registry,
                SdNotify.fromEnvironment());
        assertEquals(1_700_000_010_000L, agent.alignedAfter(1_700_000_003_456L));
        assertEquals(1_700_000_020_000L, agent.alignedAfter(1_700_000_010_000L));
    }
}
