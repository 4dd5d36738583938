package org.gleaner.agent.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import org.gleaner.agent.AgentRun;
import org.gleaner.testkit.CarbonCache;
import org.gleaner.testkit.CarbonRelay;

/**
 * Replay of a fleet's backlog through a carbon-c-relay tier (not a test; run by bench/fleet-replay.sh).
 * N hosts (pipelines in this JVM) each hold a backlog of S seconds at a 1 s interval; they come back
 * at once to two carbon_ch relays over two carbon-caches. Measured with the default pacing and, as
 * the peer behaviour, unpaced (what a sender that replays as fast as the socket takes does): time
 * until every host's spool is acknowledged and the relays' queues are empty, the peak relay queue,
 * relay drops, and this JVM's CPU and RSS while replaying versus in steady state (live data only).
 * Then one real agent process ({@code bin/gleaner agent -i 1s --collectors system}) starts on a spool
 * holding {@value #AGENT_BACKLOG_SECONDS} s × {@value #AGENT_BACKLOG_SERIES} series of backlog and
 * replays it into a carbon-cache at the default pacing: its CPU and RSS (from /proc/PID) while
 * replaying versus in steady state afterwards.
 *
 * <p>Arguments: [hosts (200)] [backlog seconds (3600)] [series per host (2)]
 */
public final class FleetReplayBenchmark {
    private static final Duration LIMIT = Duration.ofMinutes(20);
    private static final int AGENT_BACKLOG_SECONDS = 600;
    private static final int AGENT_BACKLOG_SERIES = 50;
    /** The real agent's JVM start and first collections, left out of the replay figures. */
    private static final Duration AGENT_WARM_UP = Duration.ofSeconds(15);
    private static final Duration STEADY = Duration.ofSeconds(30);
    /**
     * Live data keeps a few seconds of the spool pending (sent, then the confirmation window): a spool
     * whose oldest pending datapoint is this young holds no backlog any more.
     */
    private static final long LIVE_ONLY_AGE_SECONDS = 10;

    private FleetReplayBenchmark() {}

    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3600;
        int series = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        System.out.printf(Locale.ROOT, "%d hosts x %d s backlog x %d series = %d lines%n", hosts, seconds, series,
                (long) hosts * seconds * series);
        CarbonTarget.Tuning defaults = CarbonTarget.Tuning.DEFAULTS;
        Result paced = run(hosts, seconds, series, defaults);
        Result unpaced = run(hosts, seconds, series, new CarbonTarget.Tuning(defaults.ackTimeout(), 0, Duration.ZERO,
                defaults.backoffMax(), defaults.maxLineBytes()));
        paced.print("paced (replay.rate " + defaults.replayRate() + "/s per host)");
        unpaced.print("unpaced (replay.rate 0)");
        System.out.printf(Locale.ROOT, "ratio drain time paced / unpaced: %.2f; relay drops paced %d vs unpaced %d%n",
                paced.drainSeconds / unpaced.drainSeconds, paced.dropped, unpaced.dropped);
        agentProcess();
    }

    /** One real agent replaying a spool backlog into a carbon-cache at the default pacing; CPU and RSS of its process. */
    private static void agentProcess() throws Exception {
        Path dir = Files.createTempDirectory("gleaner-bench-agent-");
        Path spool = dir.resolve("spool");
        String host = "bench-agent";
        try (CarbonCache carbon = CarbonCache.start()) {
            try (CarbonDelivery offline = CarbonDelivery.open(new CarbonTarget(List.of(new CarbonTarget.Destination("127.0.0.1", 1)),
                    CarbonTarget.Protocol.PLAINTEXT), new SpoolSettings(spool, 256 << 20), new com.codahale.metrics.MetricRegistry())) {
                long now = System.currentTimeMillis() / 1000;
                for (long at = now - AGENT_BACKLOG_SECONDS; at < now; at++) {
                    List<Datapoint> cycle = new java.util.ArrayList<>();
                    for (int s = 0; s < AGENT_BACKLOG_SERIES; s++) {
                        cycle.add(new Datapoint(host + ".backlog.s" + s, at % 1000, at));
                    }
                    offline.submit(cycle);
                }
                offline.close(Duration.ZERO);
            }
            Path config = dir.resolve("agent.yaml");
            Files.writeString(config, String.join("\n", "hostname: " + host, "spool: {dir: " + spool + "}",
                    "carbon: {destinations: [\"127.0.0.1:" + carbon.plaintextPort() + "\"]}", ""));
            long lines = (long) AGENT_BACKLOG_SECONDS * AGENT_BACKLOG_SERIES;
            try (AgentRun agent = AgentRun.start(Map.of(), "agent", "--config", config.toString(), "-i", "1s", "--collectors", "system")) {
                long pid = agent.process().pid();
                long started = System.nanoTime();
                Thread.sleep(AGENT_WARM_UP.toMillis());
                long replayCpuBefore = cpuNanos(pid);
                long replayStart = System.nanoTime();
                long replayRss = 0;
                while (oldestAgeSeconds(carbon, host) > LIVE_ONLY_AGE_SECONDS) {
                    if (System.nanoTime() - started > LIMIT.toNanos() || !agent.process().isAlive()) {
                        throw new IllegalStateException("the real agent did not drain its backlog within " + LIMIT);
                    }
                    replayRss = Math.max(replayRss, rssKiB(pid));
                    Thread.sleep(1000);
                }
                long replayEnd = System.nanoTime();
                double replayCpu = 100.0 * (cpuNanos(pid) - replayCpuBefore) / (replayEnd - replayStart);
                long steadyCpuBefore = cpuNanos(pid);
                long steadyRss = 0;
                for (long until = System.nanoTime() + STEADY.toNanos(); System.nanoTime() - until < 0; ) {
                    Thread.sleep(1000);
                    steadyRss = Math.max(steadyRss, rssKiB(pid));
                }
                double steadyCpu = 100.0 * (cpuNanos(pid) - steadyCpuBefore) / (System.nanoTime() - replayEnd);
                System.out.printf(Locale.ROOT, "real agent: %d backlog lines drained %.0f s after start (replay.rate default);"
                        + " while replaying %.1f%% CPU %d MiB RSS, steady %.1f%% CPU %d MiB RSS%n", lines,
                        (replayEnd - started) / 1e9, replayCpu, replayRss / 1024, steadyCpu, steadyRss / 1024);
            }
        } finally {
            FleetHosts.delete(dir);
        }
    }

    /** The agent's own latest {@code gleaner.spool.oldest_age_seconds} gauge as stored in carbon; the maximum before the first. */
    private static long oldestAgeSeconds(CarbonCache carbon, String host) {
        long now = System.currentTimeMillis() / 1000;
        NavigableMap<Long, Double> points = carbon.fetch(host + ".gleaner." + CarbonDelivery.SPOOL_OLDEST_AGE_SECONDS, now - 10, now);
        return points.isEmpty() ? Long.MAX_VALUE : points.lastEntry().getValue().longValue();
    }

    private record Result(double drainSeconds, long peakQueue, long dropped, double replayCpuPercent, long replayRssMiB,
            double steadyCpuPercent, long steadyRssMiB) {
        void print(String label) {
            System.out.printf(Locale.ROOT,
                    "%-34s drained in %6.1f s, peak relay queue %6d, relay drops %7d; JVM while replaying %5.1f%% CPU %4d MiB RSS,"
                            + " steady %5.1f%% CPU %4d MiB RSS%n",
                    label, drainSeconds, peakQueue, dropped, replayCpuPercent, replayRssMiB, steadyCpuPercent, steadyRssMiB);
        }
    }

    private static Result run(int hosts, int seconds, int series, CarbonTarget.Tuning tuning) throws Exception {
        Path dir = FleetHosts.scratch("bench");
        try (CarbonCache a = CarbonCache.start(); CarbonCache b = CarbonCache.start();
                CarbonRelay relay1 = CarbonRelay.consistentHash("bench1", 25_000,
                        List.of(new CarbonRelay.Member(a.plaintextPort(), "a"), new CarbonRelay.Member(b.plaintextPort(), "b")));
                CarbonRelay relay2 = CarbonRelay.consistentHash("bench2", 25_000,
                        List.of(new CarbonRelay.Member(a.plaintextPort(), "a"), new CarbonRelay.Member(b.plaintextPort(), "b")))) {
            try (FleetHosts offline = new FleetHosts(dir, hosts, series,
                    host -> new CarbonTarget(List.of(new CarbonTarget.Destination("127.0.0.1", 1)), CarbonTarget.Protocol.PLAINTEXT), null)) {
                offline.submitBacklog(seconds, 60);
            }
            CarbonTarget.Group relays = new CarbonTarget.Group(CarbonTarget.Mode.LOADBALANCE, List.of(
                    new CarbonTarget.Destination("127.0.0.1", relay1.port()), new CarbonTarget.Destination("127.0.0.1", relay2.port())),
                    CarbonTarget.Group.DEFAULT_LIFETIME);
            long cpuBefore = cpuNanos(ProcessHandle.current().pid());
            long started = System.nanoTime();
            long peakRss = 0;
            try (FleetHosts fleet = new FleetHosts(dir, hosts, series,
                    host -> new CarbonTarget(List.of(relays), CarbonTarget.Protocol.PLAINTEXT, tuning), null)) {
                fleet.start();
                // live data keeps passing through the relays: drained once they hold less than a second of it
                while (!(allDrained(fleet) && queued(relay1, a, b) + queued(relay2, a, b) < (long) hosts * series)) {
                    if (System.nanoTime() - started > LIMIT.toNanos()) {
                        throw new IllegalStateException("the backlog did not drain within " + LIMIT);
                    }
                    peakRss = Math.max(peakRss, rssKiB(ProcessHandle.current().pid()));
                    Thread.sleep(500);
                }
                double drain = (System.nanoTime() - started) / 1e9;
                double replayCpu = 100.0 * (cpuNanos(ProcessHandle.current().pid()) - cpuBefore) / (System.nanoTime() - started);
                long steadyStart = System.nanoTime();
                long steadyCpuBefore = cpuNanos(ProcessHandle.current().pid());
                long steadyRss = 0;
                for (int i = 0; i < 40; i++) {
                    Thread.sleep(500);
                    steadyRss = Math.max(steadyRss, rssKiB(ProcessHandle.current().pid()));
                }
                double steadyCpu = 100.0 * (cpuNanos(ProcessHandle.current().pid()) - steadyCpuBefore) / (System.nanoTime() - steadyStart);
                Thread.sleep(2_000);
                long peakQueue = Math.max(relay1.peak(".queued"), relay2.peak(".queued"));
                return new Result(drain, peakQueue, relay1.dropped() + relay2.dropped(), replayCpu, peakRss / 1024, steadyCpu,
                        steadyRss / 1024);
            }
        } finally {
            FleetHosts.delete(dir);
        }
    }

    private static boolean allDrained(FleetHosts fleet) {
        for (int host = 0; host < fleet.size(); host++) {
            if (fleet.gauge(host, CarbonDelivery.SPOOL_OLDEST_AGE_SECONDS) > LIVE_ONLY_AGE_SECONDS) {
                return false;
            }
        }
        return true;
    }

    private static long queued(CarbonRelay relay, CarbonCache a, CarbonCache b) {
        return relay.current(".destinations.127_0_0_1:" + a.plaintextPort() + ".queued")
                + relay.current(".destinations.127_0_0_1:" + b.plaintextPort() + ".queued");
    }

    /** A process's user + system CPU time (/proc/PID/stat fields 14 and 15, in clock ticks of 10 ms). */
    private static long cpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
