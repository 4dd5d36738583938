package org.gleaner.agent.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.conntrack.ConntrackCollector;
import org.gleaner.collectors.conntrack.ConntrackMonitor;
import org.gleaner.collectors.conntrack.PeerNaming;

/**
 * {@code collectors: {conntrack: {enabled: true, top: 50, prefix_v4: 32, prefix_v6: 128,
 * networks: {office: 192.0.2.0/24}, services: [tcp/443], namespaces: [own], setup: false}}}:
 * exact per-peer traffic from connection tracking. Off by default; needs root (CAP_NET_ADMIN).
 * See the collector's README for every option and metric.
 */
public final class ConntrackCollectorFactory implements CollectorFactory {
    private static final Path RUN_NETNS = Path.of("/run/netns");

    @Override
    public String name() {
        return "conntrack";
    }

    @Override
    public boolean enabledByDefault() {
        return false;
    }

    @Override
    public Collector create(CollectorOptions options, Duration timeout) throws Exception {
        int top = (int) options.integer("top", 50);
        if (top < 1 || top > 10_000) {
            throw InvalidOption.of(options, "top", "must be between 1 and 10000, not " + top);
        }
        Duration idle = options.duration("forget_after", Duration.ofHours(1));
        if (idle.isNegative() || idle.isZero()) {
            throw InvalidOption.of(options, "forget_after", "must be more than 0");
        }
        long eventBuffer = options.bytes("event_buffer", 8 << 20);
        if (eventBuffer < 64 << 10 || eventBuffer > 1 << 30) {
            throw InvalidOption.of(options, "event_buffer", "must be between 64KiB and 1GiB, not " + eventBuffer);
        }
        ConntrackMonitor.Settings monitor = new ConntrackMonitor.Settings(naming(options), services(options),
                (int) eventBuffer, timeout.multipliedBy(4).dividedBy(5), options.bool("setup", false));
        return ConntrackCollector.start(new ConntrackCollector.Settings(monitor, namespaces(options), top, idle));
    }

    /** Peer naming from {@code prefix_v4}, {@code prefix_v6} and {@code networks}; shared with {@code gleaner peers}. */
    static PeerNaming naming(CollectorOptions options) {
        int v4 = (int) options.integer("prefix_v4", 32);
        int v6 = (int) options.integer("prefix_v6", 128);
        Map<String, String> networks = options.stringMap("networks", Map.of());
        for (Map.Entry<String, String> network : networks.entrySet()) {
            if (network.getValue() == null || !network.getKey().matches("[A-Za-z0-9_-]+")) {
                throw InvalidOption.of(options, "networks", "expected NAME: ADDRESS/LENGTH with a name of letters, digits, _ and -");
            }
        }
        try {
            return new PeerNaming(v4, v6, networks);
        } catch (IllegalArgumentException e) {
            throw InvalidOption.of(options, "networks", e.getMessage());
        }
    }

    /** {@code services: [tcp/443, udp/53]} as the collector names them ("tcp_443"). */
    private static Set<String> services(CollectorOptions options) {
        Set<String> services = new LinkedHashSet<>();
        for (String service : options.strings("services", List.of())) {
            if (!service.matches("(tcp|udp|sctp|udplite|dccp)/[0-9]{1,5}") || Integer.parseInt(service.substring(service.indexOf('/') + 1)) > 65535) {
                throw InvalidOption.of(options, "services", "expected PROTOCOL/PORT (tcp, udp, sctp, udplite, dccp), not " + service);
            }
            services.add(service.replace('/', '_'));
        }
        return services;
    }

    /**
     * {@code namespaces}: "own" (the agent's, the default), names under /run/netns (as {@code ip
     * netns} makes them), or "all": the agent's own and every one under /run/netns.
     */
    private static Map<String, Path> namespaces(CollectorOptions options) throws IOException {
        Map<String, Path> namespaces = new LinkedHashMap<>();
        for (String name : options.strings("namespaces", List.of("own"))) {
            if (name.equals("own")) {
                namespaces.put("", null);
            } else if (name.equals("all")) {
                namespaces.put("", null);
                if (Files.isDirectory(RUN_NETNS)) {
                    try (Stream<Path> files = Files.list(RUN_NETNS)) {
                        files.sorted().forEach(file -> namespaces.put(file.getFileName().toString(), file));
                    }
                }
            } else if (name.matches("[A-Za-z0-9_.-]+") && !name.startsWith(".") && Files.exists(RUN_NETNS.resolve(name))) {
                namespaces.put(name, RUN_NETNS.resolve(name));
            } else {
                throw InvalidOption.of(options, "namespaces", "no network namespace " + name + " in " + RUN_NETNS
                        + " (expected own, all or a name ip netns lists)");
            }
        }
        return namespaces;
    }
}
