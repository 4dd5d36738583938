package org.gleaner.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private single-node VictoriaMetrics (Debian's victoria-metrics) on 127.0.0.1 with a Graphite
 * line listener, for tests: {@link #samples(String)} reads back the raw samples of the series whose
 * name starts with a prefix, through the export API.
 */
public final class VictoriaMetrics implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("\"__name__\":\"([^\"]+)\"");
    private static final Pattern VALUES = Pattern.compile("\"values\":\\[([^\\]]*)\\]");

    private final Path home;
    private final int httpPort;
    private final int graphitePort;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private VictoriaMetrics(Path home, int httpPort, int graphitePort, Process process) {
        this.home = home;
        this.httpPort = httpPort;
        this.graphitePort = graphitePort;
        this.process = process;
    }

    public static VictoriaMetrics start() {
        Requirements.requireTool("victoria-metrics");
        try {
            Path home = Files.createTempDirectory("gleaner-vm-");
            int httpPort = freePort();
            int graphitePort = freePort();
            Process process = new ProcessBuilder("victoria-metrics", "-storageDataPath=" + home.resolve("data"),
                    "-httpListenAddr=127.0.0.1:" + httpPort, "-graphiteListenAddr=127.0.0.1:" + graphitePort,
                    "-retentionPeriod=30d", "-dedup.minScrapeInterval=1s")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("vm.log").toFile()))
                    .start();
            VictoriaMetrics vm = new VictoriaMetrics(home, httpPort, graphitePort, process);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!vm.healthy()) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    vm.close();
                    throw new AssertionError("victoria-metrics did not start:\n" + Files.readString(home.resolve("vm.log")));
                }
                Thread.sleep(100);
            }
            return vm;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start victoria-metrics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public int graphitePort() {
        return graphitePort;
    }

    /** Series name to its number of distinct sample timestamps, for every series whose name starts with {@code prefix}. */
    public Map<String, Integer> samples(String prefix) {
        String match = "{__name__=~\"" + prefix.replace(".", "\\\\.") + ".*\"}";
        String body = get("/api/v1/export?match[]=" + URLEncoder.encode(match, StandardCharsets.UTF_8));
        Map<String, Integer> counts = new HashMap<>();
        for (String line : body.split("\n")) {
            Matcher name = NAME.matcher(line);
            Matcher values = VALUES.matcher(line);
            if (name.find() && values.find()) {
                int count = values.group(1).isBlank() ? 0 : values.group(1).split(",").length;
                counts.merge(name.group(1), count, Integer::sum);
            }
        }
        return counts;
    }

    private boolean healthy() {
        try {
            return get("/health").contains("OK");
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private String get(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(20)).build();
            return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        TempTrees.deleteQuietly(home);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
