package org.gleaner.collectors.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.collectors.MetricSink;
import org.gleaner.testkit.CProgram;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.NetnsPair;

/** Test support: the traffic helper, the kernel's own DESTROY records as the oracle, and a sink keeping the last values. */
final class Lab {
    static final int PORT = 7000;
    private static final Pattern FIELD = Pattern.compile("(src|packets|bytes)=(\\S+)");

    private Lab() {}

    static Path ctpeer() {
        return CProgram.bundled("ctpeer");
    }

    /** Starts the echo servers on the peers' side and waits until they listen. */
    static void serve(NetnsPair lab, Path ctpeer) throws IOException {
        List<String> command = new ArrayList<>(List.of(ctpeer.toString(), "serve", String.valueOf(PORT)));
        command.addAll(NetnsPair.PEERS_V4);
        command.add(NetnsPair.PEER_V6);
        Process server = lab.startInPeers(command);
        String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertEquals("ready", line);
    }

    /** Collector settings for the host namespace of {@code lab}. */
    static ConntrackCollector.Settings settings(NetnsPair lab, boolean setup, PeerNaming naming, Set<String> services, int top) {
        return new ConntrackCollector.Settings(
                new ConntrackMonitor.Settings(naming, services, 8 << 20, Duration.ofSeconds(10), setup),
                Map.of("", lab.hostPath()), top, Duration.ofHours(1));
    }

    /** One TCP flow kept open; {@link #exchange} sends and receives back {@code bytes}. */
    static final class LongFlow implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final Writer in;

        LongFlow(NetnsPair lab, Path ctpeer, String peer) throws IOException {
            process = lab.startInHost(List.of(ctpeer.toString(), "long", peer, String.valueOf(PORT)));
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            assertEquals("ok", out.readLine());
        }

        void exchange(int bytes) throws IOException {
            in.write(bytes + "\n");
            in.flush();
            assertEquals("ok", out.readLine());
        }

        @Override
        public void close() throws IOException, InterruptedException {
            in.close();
            process.waitFor();
        }
    }

    /**
     * The kernel's own counters, as conntrack(8) prints them: every entry deleted with
     * {@code conntrack -D} (its final counters) plus, at the end, every entry left ({@code -L}).
     * ({@code conntrack -E} loses events under load here, so it cannot serve as the reference.)
     */
    static final class Oracle {
        private final NetnsPair lab;
        private final List<String> lines = new ArrayList<>();

        Oracle(NetnsPair lab) {
            this.lab = lab;
        }

        /** Deletes the finished flows (UDP, TCP in TIME_WAIT), keeping what conntrack printed of them. */
        void deleteFinished() {
            record(lab.inHost("conntrack", "-D", "-p", "udp", "-o", "extended"));
            record(lab.inHost("conntrack", "-D", "-p", "tcp", "--state", "TIME_WAIT", "-o", "extended"));
        }

        /** Adds the entries still in the table. */
        void listRemaining() {
            record(lab.inHost("conntrack", "-L", "-o", "extended"));
        }

        private void record(Cmd.Result result) {
            // conntrack exits 1 when nothing matched
            result.stdout().lines().forEach(lines::add);
        }

        /** Per peer (the remote end seen from the host): bytes and packets in and out, and entries. */
        Map<String, long[]> perPeer(Set<String> local) {
            Map<String, long[]> peers = new HashMap<>();
            for (String line : lines) {
                Matcher field = FIELD.matcher(line);
                List<String> sources = new ArrayList<>();
                List<Long> packets = new ArrayList<>();
                List<Long> bytes = new ArrayList<>();
                while (field.find()) {
                    switch (field.group(1)) {
                        case "src" -> sources.add(field.group(2));
                        case "packets" -> packets.add(Long.parseLong(field.group(2)));
                        default -> bytes.add(Long.parseLong(field.group(2)));
                    }
                }
                if (sources.size() != 2 || packets.size() != 2 || bytes.size() != 2) {
                    continue;
                }
                boolean outgoing = local.contains(sources.get(0));
                long[] values = peers.computeIfAbsent(outgoing ? sources.get(1) : sources.get(0), key -> Traffic.zero());
                values[Traffic.BYTES_IN] += bytes.get(outgoing ? 1 : 0);
                values[Traffic.BYTES_OUT] += bytes.get(outgoing ? 0 : 1);
                values[Traffic.PACKETS_IN] += packets.get(outgoing ? 1 : 0);
                values[Traffic.PACKETS_OUT] += packets.get(outgoing ? 0 : 1);
                values[Traffic.FLOWS_STARTED]++;
            }
            return peers;
        }

        int entries() {
            return (int) lines.stream().filter(line -> line.contains("packets=")).count();
        }
    }

    /** Keeps the last value reported per path. */
    static final class LastValues implements MetricSink {
        final Map<List<String>, Double> values = new ConcurrentHashMap<>();

        @Override
        public void gauge(long readMillis, double value, String... path) {
            values.put(List.of(path), value);
        }

        @Override
        public void counter(long readMillis, long value, String... path) {
            values.put(List.of(path), (double) value);
        }

        long get(String... path) {
            Double value = values.get(List.of(path));
            return value == null ? 0 : value.longValue();
        }

        /** Peer → its six values. */
        Map<String, long[]> peers() {
            Map<String, long[]> peers = new HashMap<>();
            values.forEach((path, value) -> {
                if (path.size() == 3 && path.get(0).equals("peers")) {
                    peers.computeIfAbsent(path.get(1), key -> Traffic.zero())[Traffic.NAMES.indexOf(path.get(2))] = value.longValue();
                }
            });
            return peers;
        }
    }

    static Cmd.Result flows(NetnsPair lab, Path ctpeer, int count, int size0, List<String> peers) {
        List<String> command = new ArrayList<>(List.of(ctpeer.toString(), "flows", "20", String.valueOf(count), String.valueOf(PORT),
                String.valueOf(size0)));
        command.addAll(peers);
        return lab.inHost(command.toArray(String[]::new)).ok();
    }

    static String text(Map<String, long[]> peers) {
        StringBuilder text = new StringBuilder();
        peers.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> text.append(e.getKey()).append(' ').append(java.util.Arrays.toString(e.getValue())).append('\n'));
        return text.toString();
    }
}
