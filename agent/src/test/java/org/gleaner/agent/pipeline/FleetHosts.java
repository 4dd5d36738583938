package org.gleaner.agent.pipeline;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * N simulated hosts in one JVM, each a full {@link CarbonDelivery} with its own spool, registry,
 * connections and a jittered once-a-second schedule, submitting {@code series} datapoints named
 * {@code fleet.hostNNNN.sK} per tick. Remembers every timestamp each host submitted.
 */
final class FleetHosts implements AutoCloseable {
    private final List<CarbonDelivery> deliveries = new ArrayList<>();
    private final List<MetricRegistry> registries = new ArrayList<>();
    private final Map<Integer, NavigableSet<Long>> submitted = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(4);
    private final int series;
    private final String extraName;

    /** {@code extraName}: one more datapoint per tick of host 0 with this name (null: none). */
    FleetHosts(Path dir, int hosts, int series, IntFunction<CarbonTarget> targetOf, String extraName) {
        this.series = series;
        this.extraName = extraName;
        try {
            for (int host = 0; host < hosts; host++) {
                MetricRegistry registry = new MetricRegistry();
                registries.add(registry);
                deliveries.add(CarbonDelivery.open(targetOf.apply(host),
                        new SpoolSettings(dir.resolve("host" + host), 64 << 20), registry));
                submitted.put(host, new ConcurrentSkipListSet<>());
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A scratch directory for the hosts' spools in memory (/dev/shm when there is one): hundreds of
     * fdatasyncs a second on a shared disk would measure the disk, not the pipelines.
     */
    static Path scratch(String name) throws IOException {
        Path shm = Path.of("/dev/shm");
        return java.nio.file.Files.createTempDirectory(java.nio.file.Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
                "gleaner-fleet-" + name + "-");
    }

    static void delete(Path dir) throws IOException {
        try (var files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    static String name(int host, int series) {
        return String.format("fleet.host%04d.s%d", host, series);
    }

    /** Starts every host's schedule, each at a random phase within the first second. */
    void start() {
        for (int host = 0; host < deliveries.size(); host++) {
            int index = host;
            ticker.scheduleAtFixedRate(() -> tick(index), ThreadLocalRandom.current().nextInt(1000), 1000, TimeUnit.MILLISECONDS);
        }
    }

    private void tick(int host) {
        long now = System.currentTimeMillis() / 1000;
        List<Datapoint> cycle = new ArrayList<>(series + 1);
        for (int s = 0; s < series; s++) {
            cycle.add(new Datapoint(name(host, s), now % 100_000, now));
        }
        if (host == 0 && extraName != null) {
            cycle.add(new Datapoint(extraName, 1, now));
        }
        try {
            deliveries.get(host).submit(cycle);
            submitted.get(host).add(now);
        } catch (IOException | RuntimeException e) {
            // closed at the end of the test
        }
    }

    /**
     * Submits, for every host, one datapoint per series and second of the last {@code seconds}
     * seconds at once: a backlog, {@code secondsPerRecord} seconds to a spool record.
     */
    void submitBacklog(int seconds, int secondsPerRecord) throws IOException {
        long now = System.currentTimeMillis() / 1000;
        for (int host = 0; host < deliveries.size(); host++) {
            List<Datapoint> record = new ArrayList<>();
            for (long at = now - seconds; at < now; at++) {
                for (int s = 0; s < series; s++) {
                    record.add(new Datapoint(name(host, s), at % 100_000, at));
                }
                submitted.get(host).add(at);
                if (record.size() >= secondsPerRecord * series || at == now - 1) {
                    deliveries.get(host).submit(record);
                    record = new ArrayList<>();
                }
            }
        }
    }

    /** Stops the schedules and waits until every host's spool is acknowledged by every group, or {@code limit}. */
    boolean stopAndDrain(Duration limit) throws InterruptedException {
        ticker.shutdownNow();
        ticker.awaitTermination(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (registries.stream().allMatch(registry -> (Long) registry.getGauges().get(CarbonDelivery.SPOOL_BYTES).getValue() == 0)) {
                return true;
            }
            Thread.sleep(500);
        }
        return false;
    }

    int size() {
        return deliveries.size();
    }

    NavigableSet<Long> submitted(int host) {
        return submitted.get(host);
    }

    MetricRegistry registry(int host) {
        return registries.get(host);
    }

    long total(String counter) {
        return registries.stream().mapToLong(registry -> registry.counter(counter).getCount()).sum();
    }

    long gauge(int host, String name) {
        return (Long) registries.get(host).getGauges().get(name).getValue();
    }

    Counter counter(int host, String name) {
        return registries.get(host).counter(name);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        deliveries.parallelStream().forEach(delivery -> delivery.close(Duration.ZERO));
    }
}
