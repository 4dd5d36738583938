package org.gleaner.agent.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.agent.AgentRun;
import org.gleaner.testkit.CarbonCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Carbon goes away for more than 20 s while datapoints keep coming once per second: afterwards every
 * timestamp is in whisper with its value — also when the real agent is killed -9 during the outage
 * and started again on the same spool.
 */
class OutageTest {
    private static final Duration OUTAGE = Duration.ofSeconds(21);
    private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(40);

    @TempDir
    Path temp;

    @Test
    void carbonDownForTwentySecondsLosesNothing() throws Exception {
        String metric = "outage.inprocess";
        long firstTimestamp = System.currentTimeMillis() / 1000 - 1;
        Map<Long, Double> submitted = new ConcurrentSkipListMap<>();
        MetricRegistry registry = new MetricRegistry();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (CarbonCache carbon = CarbonCache.start();
                CarbonDelivery delivery = CarbonDelivery.open(CarbonDeliveryTest.target(CarbonTarget.Protocol.PLAINTEXT,
                        carbon.plaintextPort()), new SpoolSettings(temp.resolve("spool"), 64 << 20), registry)) {
            AtomicInteger index = new AtomicInteger();
            ticker.scheduleAtFixedRate(() -> {
                int i = index.getAndIncrement();
                Datapoint point = new Datapoint(metric, i + 0.5, firstTimestamp + i);
                try {
                    delivery.submit(List.of(point));
                    submitted.put(point.epochSeconds(), point.value());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, 0, 1, TimeUnit.SECONDS);

            Thread.sleep(4_000);
            carbon.stop();
            Thread.sleep(OUTAGE.toMillis());
            assertTrue((Long) registry.getGauges().get(CarbonDelivery.SPOOL_BYTES).getValue() > 0, "outage data spooled");
            assertTrue((Long) registry.getGauges().get(CarbonDelivery.SPOOL_OLDEST_AGE_SECONDS).getValue() >= 15);
            carbon.restart();
            Thread.sleep(4_000);
            ticker.shutdown();
            assertTrue(ticker.awaitTermination(5, TimeUnit.SECONDS));

            assertTrue(submitted.size() >= 4 + OUTAGE.toSeconds() + 3, "submitted " + submitted.size());
            assertAllStored(carbon, metric, submitted);
            assertTrue(registry.counter(CarbonDelivery.SEND_FAILURES).getCount() >= 1, "the outage was noticed");
            assertTrue(registry.counter(CarbonDelivery.RECONNECTS).getCount() >= 1, "and recovered from");
            assertEquals(0, registry.counter(CarbonDelivery.DROPPED_DATAPOINTS).getCount());
        } finally {
            ticker.shutdownNow();
        }
    }

    /**
     * The real agent ({@code bin/gleaner agent -i 1s}) is killed -9 eight seconds into the outage and
     * a new one is started on the same spool. Every tick each agent lived through must be in whisper:
     * the first agent's from its first point to the last second before the kill (most of them only in
     * its spool when it died), the second's from its start until SIGTERM. A tick the agent itself
     * reports having skipped (machine overloaded) is the only excuse for a missing second.
     */
    @Test
    void agentKilledMinusNineDuringTheOutageAndRestartedLosesNothing() throws Exception {
        String host = "outage-host";
        String metric = host + ".system.meminfo.MemTotal";
        Path config = temp.resolve("gleaner.yaml");
        // This test is about loss, not pacing: the default replay (300 lines/s after up to 5 s, backoff up
        // to 10 s) spreads a fleet's return over minutes, longer than this run lasts. One agent needs none.
        Files.writeString(config, "hostname: " + host + "\nspool: {dir: " + temp.resolve("spool") + "}\n"
                + "replay: {rate: 0, start_delay: 0s, backoff_max: 1s}\n");
        try (CarbonCache carbon = CarbonCache.start()) {
            String[] agent = {"agent", "--config", config.toString(), "-i", "1s", "-t", "127.0.0.1:" + carbon.plaintextPort(),
                "--collectors", "system"};
            long firstStart = System.currentTimeMillis() / 1000;
            String skipped;
            double killedAt;
            double secondStart;
            double stoppedAt;
            try (AgentRun first = AgentRun.start(Map.of(), agent)) {
                NavigableMap<Long, Double> before = carbon.awaitPoints(metric, firstStart - 1, firstStart + 60, 3, CATCH_UP_LIMIT);
                assertTrue(before.size() >= 3, "the first agent delivers: " + before + "\n" + Files.readString(first.stderrFile()));
                carbon.stop();
                long downSince = System.nanoTime();
                Thread.sleep(8_000);
                killedAt = System.currentTimeMillis() / 1000.0;
                first.process().destroyForcibly();
                assertTrue(first.process().waitFor(10, TimeUnit.SECONDS));
                skipped = Files.readString(first.stderrFile());

                secondStart = System.currentTimeMillis() / 1000.0;
                try (AgentRun second = AgentRun.start(Map.of(), agent)) {
                    Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - downSince) / 1_000_000));
                    carbon.restart();
                    Thread.sleep(4_000);
                    stoppedAt = System.currentTimeMillis() / 1000.0;
                    second.process().destroy();
                    AgentRun.Result result = second.await(Duration.ofSeconds(20));
                    assertEquals(0, result.exit(), result.stderr());
                    skipped += result.stderr();
                }
            }
            long lastOfFirst = (long) Math.floor(killedAt) - 1;
            long lastOfSecond = (long) Math.floor(stoppedAt) - 1;
            long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
            NavigableMap<Long, Double> stored;
            TreeSet<Long> missing;
            Long firstOfSecond;
            do {
                Thread.sleep(500);
                stored = carbon.fetch(metric, firstStart - 1, (long) stoppedAt + 1);
                firstOfSecond = stored.ceilingKey((long) Math.ceil(killedAt));
                missing = new TreeSet<>();
                for (long tick = stored.isEmpty() ? firstStart : stored.firstKey(); tick <= lastOfSecond; tick++) {
                    boolean expected = tick <= lastOfFirst || (firstOfSecond != null && tick >= firstOfSecond);
                    if (expected && !stored.containsKey(tick)) {
                        missing.add(tick);
                    }
                }
            } while ((firstOfSecond == null || !missing.isEmpty()) && System.nanoTime() - deadline < 0);
            assertTrue(firstOfSecond != null && firstOfSecond <= secondStart + 5,
                    "the second agent's first tick (started at " + secondStart + "): " + stored.keySet());
            assertTrue(lastOfFirst - stored.firstKey() >= 10, "the first agent ran into the outage: " + stored.keySet());
            int reportedSkips = skippedTicks(skipped);
            assertTrue(missing.size() <= reportedSkips, "ticks missing from whisper: " + missing
                    + " (the agents reported " + reportedSkips + " skipped ticks)\nstored: " + stored.keySet());
        }
    }

    /** The sum of N over the agent's "skipped N tick(s)" warnings. */
    private static int skippedTicks(String stderr) {
        Matcher skipped = Pattern.compile("skipped (\\d+) tick").matcher(stderr);
        int total = 0;
        while (skipped.find()) {
            total += Integer.parseInt(skipped.group(1));
        }
        return total;
    }

    private static void assertAllStored(CarbonCache carbon, String metric, Map<Long, Double> expected) {
        long from = expected.keySet().stream().min(Long::compare).orElseThrow() - 1;
        long until = expected.keySet().stream().max(Long::compare).orElseThrow() + 1;
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        NavigableMap<Long, Double> stored;
        TreeMap<Long, Double> missing;
        do {
            stored = carbon.awaitPoints(metric, from, until, expected.size(), Duration.ofSeconds(2));
            missing = new TreeMap<>(expected);
            missing.entrySet().removeAll(stored.entrySet());
        } while (!missing.isEmpty() && System.nanoTime() - deadline < 0);
        assertEquals(Map.of(), missing, "timestamps submitted but not stored (stored: " + stored + ")\n" + carbon.logTail());
    }
}
