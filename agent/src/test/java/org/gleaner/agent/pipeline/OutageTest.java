package org.gleaner.agent.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gleaner.testkit.CarbonCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Carbon goes away for more than 20 s while datapoints keep coming once per second: afterwards every
 * timestamp is in whisper with its value — also when the delivering process is killed -9 during the
 * outage and started again on the same spool.
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

    @Test
    void killedMinusNineDuringTheOutageAndRestartedLosesNothing() throws Exception {
        String metric = "outage.killed";
        Path spool = temp.resolve("spool");
        Map<Long, Double> submitted = new ConcurrentSkipListMap<>();
        Child first = null;
        Child second = null;
        try (CarbonCache carbon = CarbonCache.start()) {
            long firstTimestamp = System.currentTimeMillis() / 1000 - 1;
            first = Child.start(spool, carbon.plaintextPort(), metric, 0, firstTimestamp, submitted, temp.resolve("first.err"));
            first.awaitSubmitted(3);
            carbon.stop();
            long downSince = System.nanoTime();
            Thread.sleep(8_000);
            first.process.destroyForcibly();
            assertTrue(first.process.waitFor(10, TimeUnit.SECONDS));
            first.drain();

            int nextIndex = first.lastIndex.get() + 1;
            long nextTimestamp = Math.max(System.currentTimeMillis() / 1000 - 1, firstTimestamp + nextIndex);
            second = Child.start(spool, carbon.plaintextPort(), metric, nextIndex, nextTimestamp, submitted,
                    temp.resolve("second.err"));
            second.awaitSubmitted(3);
            Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - downSince) / 1_000_000));
            carbon.restart();
            int atRestart = second.count.get();
            second.awaitSubmitted(atRestart + 3);

            assertTrue(submitted.size() >= 3 + 8 + 3, "submitted " + submitted.size());
            assertAllStored(carbon, metric, submitted);
        } finally {
            for (Child child : new Child[] {first, second}) {
                if (child != null) {
                    child.process.destroyForcibly();
                    child.process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
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

    /** A SubmitEverySecond JVM whose "submitted i timestamp" lines are collected as they come. */
    private static final class Child {
        final Process process;
        final AtomicInteger count = new AtomicInteger();
        final AtomicInteger lastIndex = new AtomicInteger(-1);
        private final Thread reader;

        private Child(Process process, Map<Long, Double> submitted) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        String[] fields = line.split(" ");
                        if (fields.length == 3 && fields[0].equals("submitted")) {
                            int index = Integer.parseInt(fields[1]);
                            submitted.put(Long.parseLong(fields[2]), index + 0.5);
                            lastIndex.set(index);
                            count.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    // the child was killed
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(Path spool, int port, String metric, int firstIndex, long firstTimestamp,
                Map<Long, Double> submitted, Path stderr) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    SubmitEverySecond.class.getName(), spool.toString(), Integer.toString(port), metric,
                    Integer.toString(firstIndex), Long.toString(firstTimestamp), "120")
                    .redirectError(stderr.toFile())
                    .start();
            return new Child(process, submitted);
        }

        void awaitSubmitted(int atLeast) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (count.get() < atLeast) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new AssertionError("child submitted " + count.get() + " of " + atLeast + " points; alive "
                            + process.isAlive());
                }
                Thread.sleep(50);
            }
        }

        void drain() throws InterruptedException {
            reader.join(5_000);
        }
    }
}
