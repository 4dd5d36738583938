package org.gleaner.agent.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.gleaner.agent.config.Units;
import org.gleaner.agent.logging.LogSetup;
import org.gleaner.agent.peers.PeerTable;
import org.gleaner.collectors.conntrack.ConntrackMonitor;
import org.gleaner.collectors.conntrack.PeerNaming;
import org.gleaner.collectors.conntrack.Traffic;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code gleaner peers}: who this host talks to, from connection tracking, like iftop (docs/peers.md).
 * Its options are declared through picocli's programmatic model, as ps-mem's are (see PsMemCommand).
 */
public final class PeersCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final OptionSpec intervalOption = OptionSpec.builder("-i", "--interval").paramLabel("DURATION").type(String.class)
            .defaultValue("2s").description("Refresh every DURATION (default 2s).").build();
    private final OptionSpec topOption = OptionSpec.builder("-n", "--top").paramLabel("N").type(int.class).defaultValue("20")
            .description("Show the N busiest peers (default 20).").build();
    private final OptionSpec byOption = OptionSpec.builder("--by").paramLabel("peer|prefix/LEN[,LEN6]").type(String.class)
            .defaultValue("peer").description("Group by address (default) or by prefix: prefix/24 (IPv6: /64), prefix/24,48.").build();
    private final OptionSpec onceOption = Cli.flag("Wait one interval, print the totals since the start and exit.", "--once");
    private final DebugOption debug = new DebugOption();
    private final OptionSpec jsonOption = Cli.flag("One JSON object per line.", "--json");
    private final OptionSpec netnsOption = OptionSpec.builder("--netns").paramLabel("NAME").type(String.class)
            .description("A namespace made by ip netns instead of this one.").build();
    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    public PeersCommand() {
        spec.name("peers").versionProvider(new Version());
        spec.usageMessage().sortOptions(false).description("The busiest peers of this host by traffic (bytes and packets in and out,"
                + " flows), exact, from the kernel's connection tracking.", "Needs root (CAP_NET_ADMIN).");
        Cli.addOptionsAndHelp(spec, intervalOption, topOption, byOption, onceOption, debug.option(), jsonOption, netnsOption);
    }

    /** The command's model, for picocli. */
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public Integer call() throws Exception {
        LogSetup.install(false);
        Duration every = parseInterval();
        int top = topOption.getValue();
        boolean once = Cli.isSet(onceOption);
        boolean json = Cli.isSet(jsonOption);
        String netns = netnsOption.getValue();
        if (top < 1) {
            throw new UsageException("--top: must be at least 1");
        }
        Path namespace = null;
        if (netns != null) {
            namespace = Path.of("/run/netns", netns);
            if (!netns.matches("[A-Za-z0-9_.-]+") || netns.startsWith(".") || !Files.exists(namespace)) {
                throw new UsageException("--netns: no network namespace " + Cli.oneLine(netns) + " in /run/netns");
            }
        }
        ConntrackMonitor.Settings settings = new ConntrackMonitor.Settings(naming(), Set.of(), 8 << 20,
                Duration.ofSeconds(30), false);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        boolean terminal = System.console() != null && !json;
        CountDownLatch stop = new CountDownLatch(1);
        StopSignals.install(stop::countDown);
        try (ConntrackMonitor monitor = ConntrackMonitor.open(namespace, settings)) {
            long last = System.nanoTime();
            Map<String, long[]> totals = new HashMap<>();
            long start = last;
            do {
                boolean stopped = stop.await(every.toMillis(), TimeUnit.MILLISECONDS);
                ConntrackMonitor.Interval interval = monitor.poll();
                long now = System.nanoTime();
                interval.peers().forEach((peer, values) -> add(totals, peer, values));
                PeerTable table = once
                        ? PeerTable.of(totals, (now - start) / 1e9, false, top)
                        : PeerTable.of(interval.peers(), (now - last) / 1e9, true, top);
                last = now;
                String time = LocalTime.now().format(TIME);
                if (json) {
                    out.print(table.json());
                } else if (terminal) {
                    // ANSI: cursor home, clear the screen, then the table
                    out.print("\033[H\033[2J" + table.table(time + "  gleaner peers, every " + every.toMillis() + "ms"
                            + (interval.health().lostEvents() > 0 ? "  (" + interval.health().lostEvents() + " events lost)" : "")));
                } else {
                    out.print(table.lines(time));
                }
                out.flush();
                if (stopped || out.checkError()) {
                    break;
                }
            } while (!once);
        }
        return 0;
    }

    private Duration parseInterval() {
        String interval = intervalOption.getValue();
        try {
            Duration every = Units.duration(interval);
            if (every.toMillis() < 100) {
                throw new UsageException("--interval: must be at least 100ms");
            }
            return every;
        } catch (IllegalArgumentException bad) {
            throw new UsageException("--interval: " + bad.getMessage());
        }
    }

    private PeerNaming naming() {
        String by = byOption.getValue();
        if (by.equals("peer")) {
            return PeerNaming.perAddress();
        }
        if (by.matches("prefix/[0-9]{1,2}(,[0-9]{1,3})?")) {
            String[] lengths = by.substring("prefix/".length()).split(",");
            try {
                return new PeerNaming(Integer.parseInt(lengths[0]), lengths.length > 1 ? Integer.parseInt(lengths[1]) : 64, Map.of());
            } catch (IllegalArgumentException bad) {
                throw new UsageException("--by: " + bad.getMessage());
            }
        }
        throw new UsageException("--by: expected peer or prefix/LEN[,LEN6], not " + Cli.oneLine(by));
    }

    private static void add(Map<String, long[]> totals, String peer, long[] values) {
        long[] sum = totals.computeIfAbsent(peer, key -> new long[Traffic.NAMES.size()]);
        for (int i = 0; i < sum.length; i++) {
            sum[i] += values[i];
        }
    }
}
