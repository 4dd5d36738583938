package org.gleaner.agent.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.gleaner.testkit.CarbonCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CarbonDelivery against a real, private carbon-cache; values and timestamps read back from whisper. */
class CarbonDeliveryTest {
    private static final Duration ARRIVAL_LIMIT = Duration.ofSeconds(20);
    private static CarbonCache carbon;

    @TempDir
    Path temp;

    @BeforeAll
    static void startCarbon() {
        carbon = CarbonCache.start();
    }

    @AfterAll
    static void stopCarbon() {
        if (carbon != null) {
            carbon.close();
        }
    }

    static CarbonTarget target(CarbonTarget.Protocol protocol, int... ports) {
        List<CarbonTarget.Destination> destinations = java.util.Arrays.stream(ports)
                .mapToObj(port -> new CarbonTarget.Destination("127.0.0.1", port)).toList();
        return new CarbonTarget(destinations, protocol);
    }

    /** Three datapoints of one metric and one of another, at distinct recent seconds, with fractional values. */
    private static List<Datapoint> points(String prefix, long base) {
        return List.of(
                new Datapoint(prefix + ".load", 1.5, base),
                new Datapoint(prefix + ".load", 2.25, base + 1),
                new Datapoint(prefix + ".load", -3, base + 2),
                new Datapoint(prefix + ".bytes", 123456789, base + 1));
    }

    private static void assertDelivered(String prefix, long base) {
        NavigableMap<Long, Double> load = carbon.awaitPoints(prefix + ".load", base - 5, base + 5, 3, ARRIVAL_LIMIT);
        assertEquals(Map.of(base, 1.5, base + 1, 2.25, base + 2, -3.0), new TreeMap<>(load), carbon.logTail());
        NavigableMap<Long, Double> bytes = carbon.awaitPoints(prefix + ".bytes", base - 5, base + 5, 1, ARRIVAL_LIMIT);
        assertEquals(Map.of(base + 1, 123456789.0), new TreeMap<>(bytes));
    }

    private void deliverAndCheck(CarbonTarget target, String prefix) throws IOException {
        long base = System.currentTimeMillis() / 1000 - 60;
        MetricRegistry registry = new MetricRegistry();
        try (CarbonDelivery delivery = CarbonDelivery.open(target, new SpoolSettings(temp.resolve("spool"), 1 << 20), registry)) {
            delivery.submit(points(prefix, base).subList(0, 2));
            delivery.submit(points(prefix, base).subList(2, 4));
            assertDelivered(prefix, base);
            assertEquals(4, registry.counter(CarbonDelivery.DATAPOINTS_SENT).getCount());
        }
    }

    @Test
    void plaintextDeliversExactValuesAndOriginalTimestamps() throws IOException {
        deliverAndCheck(target(CarbonTarget.Protocol.PLAINTEXT, carbon.plaintextPort()), "plain");
    }

    @Test
    void pickleDeliversExactValuesAndOriginalTimestamps() throws IOException {
        deliverAndCheck(target(CarbonTarget.Protocol.PICKLE, carbon.picklePort()), "pickle");
    }

    @Test
    void udpDeliversExactValuesAndOriginalTimestamps() throws IOException {
        deliverAndCheck(target(CarbonTarget.Protocol.UDP, carbon.udpPort()), "udp");
    }

    @Test
    void failsOverFromADeadFirstDestinationToALiveSecond() throws IOException {
        int deadPort = unusedPort();
        long base = System.currentTimeMillis() / 1000 - 60;
        MetricRegistry registry = new MetricRegistry();
        CarbonTarget target = target(CarbonTarget.Protocol.PLAINTEXT, deadPort, carbon.plaintextPort());
        try (CarbonDelivery delivery = CarbonDelivery.open(target, new SpoolSettings(temp.resolve("spool"), 1 << 20), registry)) {
            delivery.submit(points("failover", base));
            assertDelivered("failover", base);
            assertEquals(1, registry.counter(CarbonDelivery.DESTINATION_FAILOVERS).getCount());
        }
    }

    @Test
    void acknowledgedDataLeavesTheSpoolAndTheGaugesSaySo() throws IOException, InterruptedException {
        long base = System.currentTimeMillis() / 1000 - 60;
        MetricRegistry registry = new MetricRegistry();
        CarbonTarget target = target(CarbonTarget.Protocol.PLAINTEXT, carbon.plaintextPort());
        try (CarbonDelivery delivery = CarbonDelivery.open(target, new SpoolSettings(temp.resolve("spool"), 1 << 20), registry)) {
            delivery.submit(points("gauges", base));
            assertTrue((Long) registry.getGauges().get(CarbonDelivery.SPOOL_BYTES).getValue() > 0, "pending before delivery");
            assertDelivered("gauges", base);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((Long) registry.getGauges().get(CarbonDelivery.SPOOL_BYTES).getValue() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0L, registry.getGauges().get(CarbonDelivery.SPOOL_BYTES).getValue());
            assertEquals(0L, registry.getGauges().get(CarbonDelivery.SPOOL_OLDEST_AGE_SECONDS).getValue());
        }
        assertTrue(registry.getGauges().isEmpty(), "gauges removed on close");
    }

    @Test
    void closeWithCarbonUnreachableKeepsTheDataForTheNextRun() throws IOException {
        long base = System.currentTimeMillis() / 1000 - 60;
        SpoolSettings spool = new SpoolSettings(temp.resolve("spool"), 1 << 20);
        MetricRegistry registry = new MetricRegistry();
        CarbonDelivery offline = CarbonDelivery.open(target(CarbonTarget.Protocol.PLAINTEXT, unusedPort()), spool, registry);
        offline.submit(points("later", base));
        assertTrue((Long) registry.getGauges().get(CarbonDelivery.SPOOL_OLDEST_AGE_SECONDS).getValue() >= 60);
        long started = System.nanoTime();
        offline.close(Duration.ofMillis(700));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis < 700 + 600, "close took " + tookMillis + " ms");
        assertTrue(registry.counter(CarbonDelivery.SEND_FAILURES).getCount() >= 1);

        MetricRegistry next = new MetricRegistry();
        CarbonDelivery online = CarbonDelivery.open(target(CarbonTarget.Protocol.PLAINTEXT, carbon.plaintextPort()), spool, next);
        try {
            assertDelivered("later", base);
            assertEquals(4, next.counter(CarbonDelivery.DATAPOINTS_SENT).getCount(), "sent by the next run, once");
        } finally {
            online.close();
        }
    }

    @Test
    void aStopIsConfirmedByTheDestinationClosingItsSideAndLeavesNothingToResend() throws IOException {
        long base = System.currentTimeMillis() / 1000 - 60;
        SpoolSettings spool = new SpoolSettings(temp.resolve("spool"), 1 << 20);
        MetricRegistry registry = new MetricRegistry();
        CarbonDelivery delivery = CarbonDelivery.open(withoutStartDelay(carbon.plaintextPort()), spool, registry);
        delivery.submit(points("stopped", base));
        delivery.close(Duration.ofSeconds(5));
        assertEquals(4, registry.counter(CarbonDelivery.DATAPOINTS_ACKNOWLEDGED).getCount(), "confirmed within the drain");
        assertEquals(0L, pendingBytes(spool), "nothing left to send again at the next start");
        assertDelivered("stopped", base);
    }

    @Test
    void aDestinationThatResetsAtTheStopLeavesWhatItTookInTheSpool() throws Exception {
        long base = System.currentTimeMillis() / 1000 - 60;
        SpoolSettings spool = new SpoolSettings(temp.resolve("spool"), 1 << 20);
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> readEachClientToTheEndThenReset(server), "resetting-peer");
            peer.setDaemon(true);
            peer.start();
            MetricRegistry registry = new MetricRegistry();
            CarbonDelivery delivery = CarbonDelivery.open(withoutStartDelay(server.getLocalPort()), spool, registry);
            delivery.submit(points("reset", base));
            delivery.close(Duration.ofSeconds(2));
            assertTrue(registry.counter(CarbonDelivery.DATAPOINTS_SENT).getCount() >= 4, "the peer took the datapoints");
            assertEquals(0, registry.counter(CarbonDelivery.DATAPOINTS_ACKNOWLEDGED).getCount());
        }
        assertTrue(pendingBytes(spool) > 0, "kept for the next start");
    }

    /** Datapoints submitted before the first connection are backlog: sent at once here, not after up to 5 s. */
    private static CarbonTarget withoutStartDelay(int port) {
        return new CarbonTarget(target(CarbonTarget.Protocol.PLAINTEXT, port).groups(), CarbonTarget.Protocol.PLAINTEXT,
                tuning(CarbonTarget.Tuning.DEFAULTS.maxLineBytes()));
    }

    /** Reads every byte a client sends, then closes with SO_LINGER 0: a reset instead of a FIN, as a process that dies does. */
    private static void readEachClientToTheEndThenReset(ServerSocket server) {
        for (int clients = 0; clients < 100; clients++) {
            try (java.net.Socket client = server.accept()) {
                client.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                client.setSoLinger(true, 0);
            } catch (IOException e) {
                return;
            }
        }
    }

    /** What a spool holds for its (only) group, read by a delivery that cannot send. */
    private static long pendingBytes(SpoolSettings spool) throws IOException {
        MetricRegistry registry = new MetricRegistry();
        CarbonDelivery offline = CarbonDelivery.open(target(CarbonTarget.Protocol.PLAINTEXT, unusedPort()), spool, registry);
        try {
            return (Long) registry.getGauges().get(CarbonDelivery.SPOOL_BYTES).getValue();
        } finally {
            offline.close();
        }
    }

    @Test
    void aFullSpoolDropsTheOldestCountsThemAndDeliversTheRest() throws IOException {
        long base = System.currentTimeMillis() / 1000 - 600;
        SpoolSettings spool = new SpoolSettings(temp.resolve("spool"), 32 * 1024);
        MetricRegistry registry = new MetricRegistry();
        int cycles = 200;
        try (CarbonDelivery offline = CarbonDelivery.open(target(CarbonTarget.Protocol.PLAINTEXT, unusedPort()), spool, registry)) {
            for (int c = 0; c < cycles; c++) {
                List<Datapoint> cycle = new java.util.ArrayList<>();
                for (int m = 0; m < 10; m++) {
                    cycle.add(new Datapoint("full.m" + m, c, base + c));
                }
                offline.submit(cycle);
            }
            assertTrue((Long) registry.getGauges().get(CarbonDelivery.SPOOL_BYTES).getValue() <= 32 * 1024);
        }
        long dropped = registry.counter(CarbonDelivery.DROPPED_DATAPOINTS).getCount();
        assertTrue(dropped > 0 && dropped % 10 == 0, "whole cycles dropped: " + dropped);
        long firstKept = base + dropped / 10;
        CarbonDelivery online = CarbonDelivery.open(target(CarbonTarget.Protocol.PLAINTEXT, carbon.plaintextPort()), spool,
                new MetricRegistry());
        try {
            int kept = (int) (cycles - dropped / 10);
            NavigableMap<Long, Double> stored = carbon.awaitPoints("full.m9", base - 1, base + cycles, kept, ARRIVAL_LIMIT);
            assertEquals(kept, stored.size(), "exactly the cycles not counted as dropped arrive");
            assertEquals(firstKept, stored.firstKey(), "the oldest were dropped");
            assertEquals(base + cycles - 1, stored.lastKey());
            assertEquals(cycles - 1.0, stored.lastEntry().getValue());
        } finally {
            online.close();
        }
    }

    @Test
    void aFullSpoolWarnsOnceNotEveryCycle() throws IOException {
        java.util.logging.Logger pipeline = java.util.logging.Logger.getLogger("org.gleaner.agent.pipeline");
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
                        && record.getMessage().toLowerCase(java.util.Locale.ROOT).contains("drop")) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        pipeline.addHandler(capture);
        MetricRegistry registry = new MetricRegistry();
        try (CarbonDelivery offline = CarbonDelivery.open(target(CarbonTarget.Protocol.PLAINTEXT, unusedPort()),
                new SpoolSettings(temp.resolve("spool"), 16 * 1024), registry)) {
            for (int c = 0; c < 300; c++) {
                offline.submit(List.of(new Datapoint("full.warn.a", c, 1_700_000_000L + c), new Datapoint("full.warn.b", c, 1_700_000_000L + c)));
            }
        } finally {
            pipeline.removeHandler(capture);
        }
        assertTrue(registry.counter(CarbonDelivery.DROPPED_DATAPOINTS).getCount() > 100, "the spool dropped many times");
        assertEquals(1, warnings.size(), "warnings: " + warnings);
    }

    /** Unpaced, no start delay, retries within a second. */
    private static CarbonTarget.Tuning tuning(int maxLineBytes) {
        CarbonTarget.Tuning defaults = CarbonTarget.Tuning.DEFAULTS;
        return new CarbonTarget.Tuning(defaults.ackTimeout(), 0, Duration.ZERO, Duration.ofSeconds(1), maxLineBytes);
    }

    @Test
    void anOverLongNameIsShortenedUniquelyAndNoOtherLineIsLost() throws IOException {
        long base = System.currentTimeMillis() / 1000 - 60;
        String longName = "longname." + "component-of-twenty.".repeat(1000) + "end";
        String otherLongName = "longname." + "component-of-twenty.".repeat(1000) + "other";
        MetricRegistry registry = new MetricRegistry();
        CarbonTarget target = new CarbonTarget(List.of(CarbonTarget.Group.failover(List.of(
                new CarbonTarget.Destination("127.0.0.1", carbon.plaintextPort())))), CarbonTarget.Protocol.PLAINTEXT, tuning(512));
        try (CarbonDelivery delivery = CarbonDelivery.open(target, new SpoolSettings(temp.resolve("spool"), 1 << 20), registry)) {
            delivery.submit(List.of(new Datapoint("longname.before", 1, base), new Datapoint(longName, 2, base),
                    new Datapoint(otherLongName, 3, base), new Datapoint("longname.after", 4, base)));
            assertEquals(Map.of(base, 1.0), carbon.awaitPoints("longname.before", base - 1, base + 1, 1, ARRIVAL_LIMIT));
            assertEquals(Map.of(base, 4.0), carbon.awaitPoints("longname.after", base - 1, base + 1, 1, ARRIVAL_LIMIT));
            assertEquals(2, registry.counter(CarbonDelivery.SHORTENED_NAMES).getCount());
        }
        java.util.Set<String> shortened = new java.util.HashSet<>();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(carbon.whisperFile("longname.x").getParent())) {
            files.filter(file -> file.getFileName().toString().startsWith("~")).forEach(file -> shortened.add(file.getFileName().toString()));
        }
        assertEquals(2, shortened.size(), "two long names, two distinct shortened series: " + shortened);
    }

    @Test
    void datapointsOlderThanMaxAgeAreCountedNotSent() throws IOException {
        long now = System.currentTimeMillis() / 1000;
        MetricRegistry registry = new MetricRegistry();
        try (CarbonDelivery delivery = CarbonDelivery.open(target(CarbonTarget.Protocol.PLAINTEXT, carbon.plaintextPort()),
                new SpoolSettings(temp.resolve("spool"), 1 << 20, Duration.ofMinutes(10)), registry)) {
            delivery.submit(List.of(new Datapoint("maxage.old", 1, now - 1200), new Datapoint("maxage.new", 2, now - 60)));
            assertEquals(Map.of(now - 60, 2.0), carbon.awaitPoints("maxage.new", now - 61, now, 1, ARRIVAL_LIMIT));
            assertEquals(1, registry.counter(CarbonDelivery.DATAPOINTS_EXPIRED).getCount());
        }
        assertTrue(carbon.fetch("maxage.old", now - 1300, now).isEmpty(), "the expired datapoint was not sent");
    }

    @Test
    void aDeadMirrorGroupDoesNotDelayTheFirstAndGetsItsBacklogWhenItReturns() throws Exception {
        long base = System.currentTimeMillis() / 1000 - 60;
        MetricRegistry registry = new MetricRegistry();
        try (CarbonCache mirror = CarbonCache.start()) {
            mirror.stop();
            CarbonTarget target = new CarbonTarget(List.of(
                    CarbonTarget.Group.failover(List.of(new CarbonTarget.Destination("127.0.0.1", carbon.plaintextPort()))),
                    CarbonTarget.Group.failover(List.of(new CarbonTarget.Destination("127.0.0.1", mirror.plaintextPort())))),
                    CarbonTarget.Protocol.PLAINTEXT, tuning(4096));
            try (CarbonDelivery delivery = CarbonDelivery.open(target, new SpoolSettings(temp.resolve("spool"), 1 << 20), registry)) {
                delivery.submit(points("mirrored", base));
                assertDelivered("mirrored", base);
                assertTrue((Long) registry.getGauges().get(DeliveryMetrics.groupPrefix(1) + "backlog_bytes").getValue() > 0,
                        "the dead group keeps its backlog");
                mirror.restart();
                NavigableMap<Long, Double> load = mirror.awaitPoints("mirrored.load", base - 5, base + 5, 3, ARRIVAL_LIMIT);
                assertEquals(Map.of(base, 1.5, base + 1, 2.25, base + 2, -3.0), new TreeMap<>(load));
            }
        }
    }

    /** The same carbon under two names: which member a datapoint went to shows in the per-destination counters. */
    @Test
    void loadbalanceStaysOnOneMemberUntilItsLifetimeEnds() throws Exception {
        long base = System.currentTimeMillis() / 1000 - 120;
        MetricRegistry registry = new MetricRegistry();
        CarbonTarget.Group group = new CarbonTarget.Group(CarbonTarget.Mode.LOADBALANCE, List.of(
                new CarbonTarget.Destination("127.0.0.1", carbon.plaintextPort()),
                new CarbonTarget.Destination("localhost", carbon.plaintextPort())), Duration.ofSeconds(3));
        String member0 = DeliveryMetrics.groupPrefix(0) + "destinations.d0_127_0_0_1_" + carbon.plaintextPort() + ".sent";
        String member1 = DeliveryMetrics.groupPrefix(0) + "destinations.d1_localhost_" + carbon.plaintextPort() + ".sent";
        try (CarbonDelivery delivery = CarbonDelivery.open(new CarbonTarget(List.of(group), CarbonTarget.Protocol.PLAINTEXT,
                tuning(4096)), new SpoolSettings(temp.resolve("spool"), 1 << 20), registry)) {
            for (int c = 0; c < 40; c++) {
                delivery.submit(List.of(new Datapoint("balanced.m", c, base + c)));
                Thread.sleep(250);
                if (c == 5) {
                    long first = registry.counter(member0).getCount();
                    long second = registry.counter(member1).getCount();
                    assertTrue(first == 0 || second == 0, "sticky within the lifetime: " + first + "/" + second);
                }
            }
            assertEquals(40, carbon.awaitPoints("balanced.m", base - 1, base + 40, 40, ARRIVAL_LIMIT).size());
        }
        assertTrue(registry.counter(CarbonDelivery.RECONNECTS).getCount() >= 2, "a new pick after each lifetime");
        assertEquals(0, registry.counter(CarbonDelivery.SEND_FAILURES).getCount());
    }

    /** A loopback port nothing listens on (bound and released; connections to it are refused). */
    static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
