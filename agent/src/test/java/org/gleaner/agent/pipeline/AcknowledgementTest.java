package org.gleaner.agent.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;
import org.gleaner.agent.AgentRun;
import org.gleaner.testkit.CarbonCache;
import org.gleaner.testkit.StuckPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivered means acknowledged by the peer's TCP: destinations that accept but never read, or read
 * at 1 KB/s, listed before a live carbon-cache. Every datapoint must reach the live carbon (directly
 * or through the slow peer, which forwards what it reads), and no destination may be credited with
 * lines it did not take.
 */
class AcknowledgementTest {
    private static final Duration ARRIVAL_LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void peersThatDoNotReadAreFailedOverAndCreditedOnlyWithWhatTheyTook() throws Exception {
        int cycles = 40;
        int perCycle = 50;
        long base = System.currentTimeMillis() / 1000 - 120;
        MetricRegistry registry = new MetricRegistry();
        try (CarbonCache carbon = CarbonCache.start();
                StuckPeer never = StuckPeer.neverReads();
                StuckPeer slow = StuckPeer.slowProxy(1024, carbon.plaintextPort())) {
            List<CarbonTarget.Destination> order = List.of(new CarbonTarget.Destination("127.0.0.1", never.port()),
                    new CarbonTarget.Destination("127.0.0.1", slow.port()),
                    new CarbonTarget.Destination("127.0.0.1", carbon.plaintextPort()));
            CarbonTarget target = new CarbonTarget(List.of(CarbonTarget.Group.failover(order)), CarbonTarget.Protocol.PLAINTEXT,
                    new CarbonTarget.Tuning(Duration.ofSeconds(2), 2000, Duration.ZERO, Duration.ofSeconds(1), 4096));
            try (CarbonDelivery delivery = CarbonDelivery.open(target, new SpoolSettings(temp.resolve("spool"), 64 << 20), registry)) {
                for (int c = 0; c < cycles; c++) {
                    List<Datapoint> cycle = new ArrayList<>();
                    for (int m = 0; m < perCycle; m++) {
                        cycle.add(new Datapoint("acked.cycle-padding-so-that-a-record-outgrows-the-peer-buffer.m" + m, c, base + c));
                    }
                    delivery.submit(cycle);
                    Thread.sleep(200);
                }
                long deadline = System.nanoTime() + ARRIVAL_LIMIT.toNanos();
                while ((Long) registry.getGauges().get(CarbonDelivery.SPOOL_BYTES).getValue() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertEquals(0L, registry.getGauges().get(CarbonDelivery.SPOOL_BYTES).getValue(), "the spool drained");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!slow.drained() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            for (int m = 0; m < perCycle; m += 7) {
                NavigableMap<Long, Double> stored = carbon.awaitPoints("acked.cycle-padding-so-that-a-record-outgrows-the-peer-buffer.m" + m,
                        base - 1, base + cycles, cycles, ARRIVAL_LIMIT);
                assertEquals(cycles, stored.size(), "every cycle of m" + m + " is in the live carbon: " + stored.keySet());
            }
            assertTrue(never.accepted() >= 1 && slow.accepted() >= 1, "both stuck peers were tried");
            long neverCredited = destinationCount(registry, 0, never.port(), "acknowledged");
            long slowCredited = destinationCount(registry, 1, slow.port(), "acknowledged");
            long neverTook = never.linesBuffered();
            assertTrue(neverCredited <= neverTook, "credited " + neverCredited + " lines to the peer that never read; it holds " + neverTook);
            assertTrue(slowCredited <= slow.linesRead(), "credited " + slowCredited + " lines to the slow peer; it read " + slow.linesRead());
            assertTrue(destinationCount(registry, 0, never.port(), "sent") > 0, "lines were written to the peer that never read");
            assertEquals(2, registry.counter(CarbonDelivery.DESTINATION_FAILOVERS).getCount(), "failed over twice");
        }
    }

    /**
     * The reproduction as a process: {@code bin/gleaner agent -i 1s -t NEVER_READS -t LIVE
     * --collectors system --cycles 30}. Every tick reaches the live carbon (only ticks the agent reports
     * as skipped may be missing), with the default acknowledgement timeout: the peer is left after 10 s
     * and the backlog it held is replayed, paced, while the run goes on.
     */
    @Test
    void theAgentFailsOverFromAPeerThatNeverReadsAndDeliversEveryTick() throws Exception {
        String host = "ack-host";
        String metric = host + ".system.meminfo.MemTotal";
        Path config = temp.resolve("gleaner.yaml");
        Files.writeString(config, "hostname: " + host + "\nspool: {dir: " + temp.resolve("spool") + "}\n");
        try (CarbonCache carbon = CarbonCache.start(); StuckPeer never = StuckPeer.neverReads()) {
            long started = System.currentTimeMillis() / 1000;
            AgentRun.Result result = AgentRun.run(Duration.ofSeconds(90), Map.of(), "agent", "--config", config.toString(),
                    "-i", "1s", "-t", "127.0.0.1:" + never.port(), "-t", "127.0.0.1:" + carbon.plaintextPort(),
                    "--collectors", "system", "--cycles", "30");
            assertEquals(0, result.exit(), result.stderr());
            assertTrue(result.stderr().contains("failover"), "the failover is logged:\n" + result.stderr());
            NavigableMap<Long, Double> stored = carbon.awaitPoints(metric, started - 1, started + 120, 30, Duration.ofSeconds(20));
            int skipped = skippedTicks(result.stderr());
            assertTrue(stored.size() >= 30 - skipped, "ticks in the live carbon: " + stored.keySet() + "\n" + result.stderr());
            TreeSet<Long> gaps = new TreeSet<>();
            for (long tick = stored.firstKey(); tick <= stored.lastKey(); tick++) {
                if (!stored.containsKey(tick)) {
                    gaps.add(tick);
                }
            }
            assertTrue(gaps.size() <= skipped, "ticks missing: " + gaps + "\n" + result.stderr());
            assertTrue(never.accepted() >= 1, "the peer that never reads was tried first");
        }
    }

    /** With a live carbon and no backlog, the age of the oldest unacknowledged datapoint is 0, as documented. */
    @Test
    void theBacklogAgeIsZeroInSteadyState() throws Exception {
        String host = "steady-host";
        Path config = temp.resolve("gleaner.yaml");
        Files.writeString(config, "hostname: " + host + "\nspool: {dir: " + temp.resolve("spool") + "}\n");
        try (CarbonCache carbon = CarbonCache.start()) {
            long started = System.currentTimeMillis() / 1000;
            AgentRun.Result result = AgentRun.run(Duration.ofSeconds(60), Map.of(), "agent", "--config", config.toString(),
                    "-i", "1s", "-t", "127.0.0.1:" + carbon.plaintextPort(), "--collectors", "system", "--cycles", "8");
            assertEquals(0, result.exit(), result.stderr());
            NavigableMap<Long, Double> ages = carbon.awaitPoints(host + ".gleaner." + CarbonDelivery.SPOOL_OLDEST_AGE_SECONDS,
                    started - 1, started + 60, 8 - skippedTicks(result.stderr()), Duration.ofSeconds(20));
            assertTrue(ages.size() >= 6, "ages: " + ages);
            assertEquals(List.of(0.0), ages.values().stream().distinct().toList(), "ages: " + ages);
        }
    }

    static long destinationCount(MetricRegistry registry, int member, int port, String what) {
        return registry.counter(DeliveryMetrics.groupPrefix(0) + "destinations.d" + member + "_127_0_0_1_" + port + "." + what)
                .getCount();
    }

    static int skippedTicks(String stderr) {
        java.util.regex.Matcher skipped = java.util.regex.Pattern.compile("skipped (\\d+) tick").matcher(stderr);
        int total = 0;
        while (skipped.find()) {
            total += Integer.parseInt(skipped.group(1));
        }
        return total;
    }
}
