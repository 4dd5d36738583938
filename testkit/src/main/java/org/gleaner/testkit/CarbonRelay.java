package org.gleaner.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A private carbon-c-relay (Debian's carbon-c-relay) on 127.0.0.1: one line-mode listener, one
 * cluster ({@code carbon_ch} over named members, or {@code forward}), and its statistics written
 * every second to a file, so that a test can read the relay's own drop and queue counters
 * ({@code carbon.relays.NAME.metricsDropped}, {@code .destinations.*.{queued,dropped,stalls}}).
 * {@link #kill()} and {@link #restart()} keep the port.
 */
public final class CarbonRelay implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(20);

    /** A cluster member: a carbon plaintext port and its carbon_ch instance name. */
    public record Member(int port, String instance) {}

    private final Path home;
    private final String name;
    private final int port;
    private final int queueSize;
    private final Path stats;
    private final Path log;
    private Process process;

    private CarbonRelay(Path home, String name, int port, int queueSize) {
        this.home = home;
        this.name = name;
        this.port = port;
        this.queueSize = queueSize;
        this.stats = home.resolve("stats.txt");
        this.log = home.resolve("relay.log");
    }

    /** A relay that shards by {@code carbon_ch} over {@code members}, as carbon's own consistent hashing does. */
    public static CarbonRelay consistentHash(String name, int queueSize, List<Member> members) {
        return start(name, queueSize, "carbon_ch " + members.stream()
                .map(member -> "127.0.0.1:" + member.port() + "=" + member.instance()).collect(Collectors.joining(" ")));
    }

    /** A relay that forwards everything to each of {@code ports} (e.g. VictoriaMetrics' Graphite listener). */
    public static CarbonRelay forward(String name, int queueSize, int... ports) {
        return start(name, queueSize, "forward " + java.util.Arrays.stream(ports)
                .mapToObj(port -> "127.0.0.1:" + port).collect(Collectors.joining(" ")));
    }

    private static CarbonRelay start(String name, int queueSize, String cluster) {
        Requirements.requireTool("carbon-c-relay");
        try {
            Path home = Files.createTempDirectory("gleaner-relay-" + name + "-");
            CarbonRelay relay;
            try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                relay = new CarbonRelay(home, name, free.getLocalPort(), queueSize);
            }
            Files.writeString(home.resolve("relay.conf"), String.join("\n",
                    "listen type linemode 127.0.0.1:" + relay.port + " proto tcp ;",
                    "cluster store " + cluster + " ;",
                    "cluster statsfile file " + relay.stats + " ;",
                    "statistics submit every 1 seconds send to statsfile stop ;",
                    "match * send to store stop ;",
                    ""));
            relay.launch();
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up a private carbon-c-relay", e);
        }
    }

    public int port() {
        return port;
    }

    /** SIGKILL: the relay and its in-memory queues are gone at once. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** SIGTERM: the relay flushes what it queued, then exits. */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    public synchronized void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart carbon-c-relay", e);
        }
    }

    /** The sum over this relay's lifetime (restarts included) of the latest value of every statistic ending in {@code suffix}. */
    public long statistic(String suffix) {
        return readStats("", suffix, Reading.OVER_RUNS);
    }

    /** As {@link #statistic(String)}, for the statistics whose name also contains {@code part}. */
    public long statistic(String part, String suffix) {
        return readStats(part, suffix, Reading.OVER_RUNS);
    }

    /** The highest value seen of a store destination's statistic ending in {@code suffix} (e.g. ".queued": the peak queue). */
    public long peak(String suffix) {
        return readStats(".destinations.127_0_0_1:", suffix, Reading.PEAK);
    }

    /**
     * The latest value of a gauge such as a destination's {@code .queued}, summed over the statistics
     * ending in {@code suffix}: a gauge falls as well as rises, so it is not summed over runs.
     */
    public long current(String suffix) {
        return readStats("", suffix, Reading.LATEST);
    }

    /** Metrics the relay dropped on their way to its stores or discarded, summed over its runs: what its senders never hear about. */
    public long dropped() {
        return statistic(".destinations.127_0_0_1:", ".dropped") + statistic("." + name + ".metricsDiscarded");
    }

    private enum Reading { OVER_RUNS, PEAK, LATEST }

    private long readStats(String part, String suffix, Reading reading) {
        List<String> lines;
        try {
            lines = Files.exists(stats) ? Files.readAllLines(stats) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // counters restart at 0 with the process: sum the last value of each run
        long total = 0;
        long best = 0;
        java.util.Map<String, Long> last = new java.util.HashMap<>();
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length != 3 || !fields[0].endsWith(suffix) || !fields[0].contains(part)) {
                continue;
            }
            long value = (long) Double.parseDouble(fields[1]);
            best = Math.max(best, value);
            Long previous = last.put(fields[0], value);
            if (previous != null && value < previous) {
                total += previous;
            }
        }
        long latest = last.values().stream().mapToLong(Long::longValue).sum();
        return switch (reading) {
            case OVER_RUNS -> total + latest;
            case PEAK -> best;
            case LATEST -> latest;
        };
    }

    public String logTail() {
        return TempTrees.tail(log, 3000);
    }

    /** The relay's whole log (all its runs), e.g. to find its {@code failed to write() to IP:PORT} lines. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        kill();
        TempTrees.deleteQuietly(home);
    }

    private void launch() throws IOException {
        process = new ProcessBuilder("carbon-c-relay", "-f", home.resolve("relay.conf").toString(), "-H", name, "-w", "2",
                "-q", Integer.toString(queueSize), "-b", Integer.toString(Math.max(1, Math.min(2500, queueSize / 4))), "-E")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                kill();
                throw new AssertionError("carbon-c-relay did not start listening on 127.0.0.1:" + port + "\n" + logTail());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
