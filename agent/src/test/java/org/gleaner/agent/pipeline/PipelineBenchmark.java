package org.gleaner.agent.pipeline;

import com.codahale.metrics.MetricRegistry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.gleaner.testkit.CarbonCache;

/**
 * Throughput of the delivery pipeline (not a test; run by bench/pipeline.sh). Pushes N datapoints
 * through CarbonDelivery — spool append + fdatasync per cycle, sender thread, plaintext TCP — into
 * (1) a sink that only counts lines, which is the pipeline's own limit, and (2) a private
 * carbon-cache; and, as the peer, (3) the same lines written by a bare socket into carbon, which
 * is carbon's own limit. Prints datapoints/s and the ratios.
 *
 * <p>Arguments: [datapoints (1000000)] [distinct metrics (1000)] [datapoints per submit (10000)]
 */
public final class PipelineBenchmark {
    private static final Duration LIMIT = Duration.ofMinutes(5);

    private PipelineBenchmark() {}

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int metrics = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int perSubmit = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        List<List<Datapoint>> cycles = cycles(total, metrics, perSubmit);
        System.out.printf(Locale.ROOT, "%d datapoints, %d metrics, %d per submit%n", total, metrics, perSubmit);

        double sink;
        try (LineSink lines = new LineSink()) {
            sink = run("pipeline -> counting sink", cycles, total, lines.port(), registry -> lines.count());
        }
        double intoCarbon;
        double bare;
        try (CarbonCache carbon = CarbonCache.start()) {
            intoCarbon = run("pipeline -> carbon-cache", cycles, total, carbon.plaintextPort(),
                    registry -> registry.counter(CarbonDelivery.DATAPOINTS_SENT).getCount());
        }
        try (CarbonCache carbon = CarbonCache.start()) {
            bare = bareSocket(cycles, total, carbon.plaintextPort());
        }
        System.out.printf(Locale.ROOT, "ratio pipeline->carbon / bare socket->carbon: %.2f%n", intoCarbon / bare);
        System.out.printf(Locale.ROOT, "ratio pipeline->carbon / pipeline->sink: %.2f (%s limits)%n", intoCarbon / sink,
                intoCarbon < 0.8 * sink ? "carbon-cache" : "the pipeline");
    }

    private interface Progress {
        long delivered(MetricRegistry registry);
    }

    /** Submits everything, then waits until {@code progress} reaches the total; returns datapoints/s. */
    private static double run(String name, List<List<Datapoint>> cycles, int total, int port, Progress progress)
            throws IOException, InterruptedException {
        Path spool = Files.createTempDirectory("gleaner-bench-spool");
        MetricRegistry registry = new MetricRegistry();
        CarbonTarget target = new CarbonTarget(List.of(new CarbonTarget.Destination("127.0.0.1", port)), CarbonTarget.Protocol.PLAINTEXT);
        long submitNanos = 0;
        long started = System.nanoTime();
        try (CarbonDelivery delivery = CarbonDelivery.open(target, new SpoolSettings(spool.resolve("spool"), 4L << 30), registry)) {
            for (List<Datapoint> cycle : cycles) {
                long before = System.nanoTime();
                delivery.submit(cycle);
                submitNanos += System.nanoTime() - before;
            }
            awaitCount(() -> progress.delivered(registry), total);
        } finally {
            deleteTree(spool);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double rate = total / seconds;
        System.out.printf(Locale.ROOT, "%-28s %10.0f datapoints/s  (%.2f s; submit into the spool alone: %.0f datapoints/s)%n",
                name, rate, seconds, total / (submitNanos / 1e9));
        return rate;
    }

    /** The same datapoints as plaintext lines through one buffered socket: carbon's own ingestion limit. */
    private static double bareSocket(List<List<Datapoint>> cycles, int total, int port) throws IOException {
        long started = System.nanoTime();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16)) {
            for (List<Datapoint> cycle : cycles) {
                for (Datapoint point : cycle) {
                    out.write((point.path() + " " + CarbonConnection.formatValue(point.value()) + " " + point.epochSeconds() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            out.flush();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double rate = total / seconds;
        System.out.printf(Locale.ROOT, "%-28s %10.0f datapoints/s  (%.2f s)%n", "bare socket -> carbon-cache", rate, seconds);
        return rate;
    }

    private static List<List<Datapoint>> cycles(int total, int metrics, int perSubmit) {
        long newest = System.currentTimeMillis() / 1000 - 5;
        int timestamps = Math.max(1, total / metrics);
        List<List<Datapoint>> cycles = new ArrayList<>();
        List<Datapoint> cycle = new ArrayList<>(perSubmit);
        for (int i = 0; i < total; i++) {
            long timestamp = newest - Math.min(3000, timestamps) + (i / metrics) % Math.min(3000, timestamps);
            cycle.add(new Datapoint("bench.host-01.cpu.core" + (i % metrics) + ".user_percent", i % 1000 + 0.25, timestamp));
            if (cycle.size() == perSubmit) {
                cycles.add(cycle);
                cycle = new ArrayList<>(perSubmit);
            }
        }
        if (!cycle.isEmpty()) {
            cycles.add(cycle);
        }
        return cycles;
    }

    private static void awaitCount(LongSupplier count, long total) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (count.getAsLong() < total) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + count.getAsLong() + " of " + total + " datapoints after " + LIMIT);
            }
            Thread.sleep(5);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** Accepts connections on loopback and counts the newline-terminated lines it reads. */
    private static final class LineSink implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicLong lines = new AtomicLong();
        private final Thread acceptor = new Thread(this::serve, "bench-sink");

        LineSink() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        long count() {
            return lines.get();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket client = server.accept(); InputStream in = client.getInputStream()) {
                    byte[] buffer = new byte[1 << 16];
                    for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                        long newlines = 0;
                        for (int i = 0; i < read; i++) {
                            if (buffer[i] == '\n') {
                                newlines++;
                            }
                        }
                        lines.addAndGet(newlines);
                    }
                } catch (IOException e) {
                    // closed
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
