package org.gleaner.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private carbon-cache (Debian's graphite-carbon) on 127.0.0.1 for tests: its own temp directory,
 * config, free ports (plaintext, pickle, UDP, cache query), 1-second retention, no tags. Whisper
 * files are read back with {@code whisper-fetch --json}. {@link #stop()} and {@link #restart()} keep
 * the ports and the stored data, so a test can simulate an outage; {@link #close()} stops it and
 * deletes everything.
 *
 * <pre>{@code
 * try (CarbonCache carbon = CarbonCache.start()) {
 *     ... send to 127.0.0.1:carbon.plaintextPort() ...
 *     carbon.awaitPoints("a.b", from, until, 3, Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class CarbonCache implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(30);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(20);
    private static final Pattern JSON_NUMBER_FIELD = Pattern.compile("\"(start|step)\"\\s*:\\s*(\\d+)");
    private static final Pattern JSON_VALUES = Pattern.compile("\"values\"\\s*:\\s*\\[([^\\]]*)\\]");

    private final Path home;
    private final Path config;
    private final Path whisperDir;
    private final Path log;
    private final int plaintextPort;
    private final int picklePort;
    private final int udpPort;
    private final int queryPort;
    private final Path netns;
    private Process process;

    private CarbonCache(Path home, Path netns, int plaintextPort, int picklePort, int udpPort, int queryPort) {
        this.home = home;
        this.netns = netns;
        this.config = home.resolve("conf/carbon.conf");
        this.whisperDir = home.resolve("storage/whisper");
        this.log = home.resolve("log/carbon-cache.out");
        this.plaintextPort = plaintextPort;
        this.picklePort = picklePort;
        this.udpPort = udpPort;
        this.queryPort = queryPort;
    }

    /** Writes a private config and starts carbon-cache; returns once its TCP ports accept connections. */
    public static CarbonCache start() {
        return startIn(null);
    }

    /**
     * Like {@link #start()}, but carbon-cache listens on 127.0.0.1 of the network namespace
     * {@code netns} (e.g. {@code /proc/PID/ns/net} of a container's init), so that programs in that
     * namespace reach it there; its whisper files stay readable here. Null: this process's namespace.
     */
    public static CarbonCache startIn(Path netns) {
        Requirements.requireTool("carbon-cache");
        Requirements.requireTool("whisper-fetch");
        try {
            Path home = Files.createTempDirectory("gleaner-carbon-" + ProcessHandle.current().pid() + "-");
            CarbonCache carbon = new CarbonCache(home, netns, freeTcpPort(), freeTcpPort(), freeUdpPort(), freeTcpPort());
            carbon.writeConfig();
            carbon.launch();
            return carbon;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up a private carbon-cache", e);
        }
    }

    public int plaintextPort() {
        return plaintextPort;
    }

    public int picklePort() {
        return picklePort;
    }

    public int udpPort() {
        return udpPort;
    }

    /** Stops carbon-cache gracefully (SIGTERM: it flushes its cache to whisper and closes its sockets). */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        try {
            process.destroy();
            if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            process = null;
        }
    }

    /** Starts carbon-cache again on the same ports and storage (after {@link #stop()}, or stops it first). */
    public synchronized void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart carbon-cache", e);
        }
    }

    /** The whisper file of a dotted metric path. */
    public boolean hasSeries(String metricPath) {
        return Files.exists(whisperFile(metricPath));
    }

    public Path whisperFile(String metricPath) {
        return whisperDir.resolve(metricPath.replace('.', '/') + ".wsp");
    }

    /**
     * The stored (non-null) points of a metric in (from, until], timestamp to value; empty when its
     * whisper file does not exist (yet).
     */
    public NavigableMap<Long, Double> fetch(String metricPath, long from, long until) {
        Path file = whisperFile(metricPath);
        NavigableMap<Long, Double> points = new TreeMap<>();
        if (!Files.exists(file)) {
            return points;
        }
        Cmd.Result result = Cmd.run(Duration.ofSeconds(20), "whisper-fetch", "--json",
                "--from=" + from, "--until=" + until, file.toString()).ok();
        long start = -1;
        long step = -1;
        Matcher field = JSON_NUMBER_FIELD.matcher(result.stdout());
        while (field.find()) {
            long number = Long.parseLong(field.group(2));
            if (field.group(1).equals("start")) {
                start = number;
            } else {
                step = number;
            }
        }
        Matcher values = JSON_VALUES.matcher(result.stdout());
        if (start < 0 || step <= 0 || !values.find()) {
            throw new AssertionError("unexpected whisper-fetch output for " + file + ": " + result.stdout());
        }
        String[] items = values.group(1).split(",");
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            if (!item.isEmpty() && !item.equals("null")) {
                points.put(start + i * step, Double.parseDouble(item));
            }
        }
        return points;
    }

    /**
     * The timestamps stored in the finest archive of a metric's whisper file, read directly (whisper's
     * format: a header of u32 aggregation, u32 max retention, f32 xFilesFactor, u32 archive count, then
     * per archive u32 offset, u32 seconds per point, u32 points; points are u32 timestamp, f64 value,
     * big-endian). Cheaper than {@link #fetch} when a test checks thousands of series; empty when the
     * file does not exist (yet).
     */
    public java.util.NavigableSet<Long> storedTimestamps(String metricPath) {
        java.util.TreeSet<Long> timestamps = new java.util.TreeSet<>();
        Path file = whisperFile(metricPath);
        if (!Files.exists(file)) {
            return timestamps;
        }
        try {
            java.nio.ByteBuffer data = java.nio.ByteBuffer.wrap(Files.readAllBytes(file));
            int offset = data.getInt(16);
            int points = data.getInt(24);
            for (int i = 0; i < points; i++) {
                long timestamp = Integer.toUnsignedLong(data.getInt(offset + i * 12));
                if (timestamp != 0) {
                    timestamps.add(timestamp);
                }
            }
        } catch (IOException | IndexOutOfBoundsException e) {
            // being created: try again later
        }
        return timestamps;
    }

    /**
     * Polls {@link #fetch} until at least {@code count} points are stored in (from, until] or
     * {@code limit} has passed (carbon writes whisper files asynchronously); returns what is stored then.
     */
    public NavigableMap<Long, Double> awaitPoints(String metricPath, long from, long until, int count, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            NavigableMap<Long, Double> points = fetch(metricPath, from, until);
            if (points.size() >= count || System.nanoTime() - deadline > 0) {
                return points;
            }
            sleep(200);
        }
    }

    /** The tail of carbon-cache's console output, for assertion messages. */
    public String logTail() {
        return TempTrees.tail(log, 4000);
    }

    @Override
    public void close() {
        stop();
        TempTrees.deleteQuietly(home);
    }

    private void writeConfig() throws IOException {
        for (String dir : new String[] {"conf", "storage/whisper", "log", "pid"}) {
            Files.createDirectories(home.resolve(dir));
        }
        Files.writeString(config, String.join("\n",
                "[cache]",
                "STORAGE_DIR = " + home.resolve("storage") + "/",
                "LOCAL_DATA_DIR = " + whisperDir + "/",
                "CONF_DIR = " + home.resolve("conf") + "/",
                "LOG_DIR = " + home.resolve("log") + "/",
                "PID_DIR = " + home.resolve("pid") + "/",
                "USER =",
                "ENABLE_TAGS = False",
                "MAX_CACHE_SIZE = inf",
                "MAX_UPDATES_PER_SECOND = inf",
                "MAX_CREATES_PER_MINUTE = inf",
                "WHISPER_AUTOFLUSH = True",
                "WHISPER_FALLOCATE_CREATE = False",
                "LINE_RECEIVER_INTERFACE = 127.0.0.1",
                "LINE_RECEIVER_PORT = " + plaintextPort,
                "PICKLE_RECEIVER_INTERFACE = 127.0.0.1",
                "PICKLE_RECEIVER_PORT = " + picklePort,
                "ENABLE_UDP_LISTENER = True",
                "UDP_RECEIVER_INTERFACE = 127.0.0.1",
                "UDP_RECEIVER_PORT = " + udpPort,
                "CACHE_QUERY_INTERFACE = 127.0.0.1",
                "CACHE_QUERY_PORT = " + queryPort,
                "LOG_LISTENER_CONNECTIONS = False",
                ""));
        Files.writeString(home.resolve("conf/storage-schemas.conf"),
                "[all]\npattern = .*\nretentions = 1s:1h,60s:1d\n");
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>();
        if (netns != null) {
            command.addAll(List.of("nsenter", "--net=" + netns));
        }
        command.addAll(List.of("carbon-cache", "--config=" + config, "--pidfile=" + home.resolve("pid/carbon.pid"),
                "--logdir=" + home.resolve("log"), "--nodaemon", "start"));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (!(accepts(plaintextPort) && accepts(picklePort))) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                stop();
                throw new AssertionError("carbon-cache did not start listening on 127.0.0.1:" + plaintextPort
                        + "/" + picklePort + "\n" + logTail());
            }
            sleep(100);
        }
    }

    private boolean accepts(int port) {
        if (netns != null) {
            return Cmd.run(Duration.ofSeconds(5), "nsenter", "--net=" + netns, "bash", "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/" + port).exit() == 0;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
