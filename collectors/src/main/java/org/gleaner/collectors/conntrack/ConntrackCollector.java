package org.gleaner.collectors.conntrack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.MetricSink;

/**
 * Per-peer traffic from the kernel's connection tracking, exact across flows that start and end
 * between two cycles: see {@link ConntrackMonitor} and README.md in this package.
 */
public final class ConntrackCollector implements Collector {

    /**
     * {@code namespaces}: name → namespace file; the name "" is the agent's own namespace (reported
     * without a namespace level). {@code top}: named peers kept per table; {@code idle}: how long a
     * quiet peer keeps its slot.
     */
    public record Settings(ConntrackMonitor.Settings monitor, Map<String, Path> namespaces, int top, Duration idle) {}

    private record Namespace(String name, ConntrackMonitor monitor, CappedPeers peers, Map<String, CappedPeers> services) {}

    private final Settings settings;
    private final List<Namespace> namespaces = new ArrayList<>();

    private ConntrackCollector(Settings settings) {
        this.settings = settings;
    }

    /** Opens every namespace's sockets and records their tables as they are now. Needs CAP_NET_ADMIN. */
    public static ConntrackCollector start(Settings settings) throws IOException {
        ConntrackCollector collector = new ConntrackCollector(settings);
        try {
            for (Map.Entry<String, Path> entry : settings.namespaces().entrySet()) {
                ConntrackMonitor monitor = ConntrackMonitor.open(entry.getValue(), settings.monitor());
                collector.namespaces.add(new Namespace(entry.getKey(), monitor,
                        new CappedPeers(settings.top(), settings.idle().toMillis()), new LinkedHashMap<>()));
            }
        } catch (IOException | RuntimeException e) {
            collector.close();
            throw e;
        }
        return collector;
    }

    @Override
    public void collect(MetricSink sink) throws IOException {
        for (Namespace namespace : namespaces) {
            ConntrackMonitor.Interval interval = namespace.monitor().poll();
            long now = interval.readMillis();
            List<String> base = namespace.name().isEmpty() ? List.of() : List.of("netns", namespace.name());
            long folded = report(sink, now, base, namespace.peers().add(interval.peers(), now));
            for (String service : settings.monitor().services()) {
                CappedPeers peers = namespace.services().computeIfAbsent(service,
                        key -> new CappedPeers(settings.top(), settings.idle().toMillis()));
                List<String> serviceBase = new ArrayList<>(base);
                serviceBase.addAll(List.of("services", service));
                folded += report(sink, now, serviceBase, peers.add(interval.services().getOrDefault(service, Map.of()), now));
            }
            ConntrackMonitor.Health health = interval.health();
            sink.gauge(now, health.dumpSeconds(), path(base, "collector", "dump_seconds"));
            sink.gauge(now, health.dumpCpuSeconds(), path(base, "collector", "dump_cpu_seconds"));
            sink.gauge(now, health.dumpEntries(), path(base, "collector", "dump_entries"));
            sink.gauge(now, health.withoutCounters(), path(base, "collector", "flows_without_counters"));
            sink.gauge(now, health.tracked(), path(base, "collector", "flows_tracked"));
            sink.counter(now, health.events(), path(base, "collector", "destroy_events"));
            sink.counter(now, health.lostEvents(), path(base, "collector", "lost_events"));
            sink.counter(now, health.malformed(), path(base, "collector", "malformed_messages"));
            sink.counter(now, health.vanished(), path(base, "collector", "flows_vanished"));
            sink.counter(now, health.reused(), path(base, "collector", "keys_reused"));
            sink.counter(now, folded, path(base, "collector", "peers_folded"));
        }
    }

    /** Reports one table; returns how many peers it folded into "other". */
    private static long report(MetricSink sink, long now, List<String> base, CappedPeers.Snapshot snapshot) {
        snapshot.named().forEach((peer, values) -> counters(sink, now, path(base, "peers", peer), values));
        counters(sink, now, path(base, "other"), snapshot.other());
        counters(sink, now, path(base, "total"), snapshot.total());
        return snapshot.folded();
    }

    private static void counters(MetricSink sink, long now, String[] path, long[] values) {
        for (int i = 0; i < Traffic.NAMES.size(); i++) {
            String[] full = java.util.Arrays.copyOf(path, path.length + 1);
            full[path.length] = Traffic.NAMES.get(i);
            sink.counter(now, values[i], full);
        }
    }

    private static String[] path(List<String> base, String... rest) {
        List<String> path = new ArrayList<>(base);
        path.addAll(List.of(rest));
        return path.toArray(String[]::new);
    }

    @Override
    public void close() {
        namespaces.forEach(namespace -> namespace.monitor().close());
    }
}
