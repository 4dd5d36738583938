package org.gleaner.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gleaner.agent.daemon.MetricNames;
import org.gleaner.testkit.CProgram;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Launcher;
import org.gleaner.testkit.NetnsPair;
import org.gleaner.testkit.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conntrack collector as the agent runs it, through bin/gleaner inside a test namespace. */
class ConntrackCollectorFactoryTest {
    private static final int PORT = 7000;

    private static Path ctpeer() {
        return CProgram.bundled("ctpeer");
    }

    @Test
    @Privileged("conntrack needs CAP_NET_ADMIN, and the test makes network namespaces")
    void agentInsideTheNamespacePrintsPerPeerCountersAsWellFormedLines(@TempDir Path dir) throws Exception {
        Path ctpeer = ctpeer();
        try (NetnsPair lab = NetnsPair.create()) {
            Process server = lab.startInPeers(List.of(ctpeer.toString(), "serve", String.valueOf(PORT), NetnsPair.PEERS_V4.get(0),
                    NetnsPair.PEERS_V4.get(1), NetnsPair.PEER_V6));
            assertEquals("ready", new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine());
            Path config = dir.resolve("gleaner.yaml");
            Files.writeString(config, """
                    counters: raw
                    collectors:
                      conntrack:
                        setup: true
                        networks: {lab: 198.18.0.3/32}
                        services: [tcp/7000]
                    """);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread traffic = new Thread(() -> exchangeUntilStopped(lab, ctpeer, running));
            traffic.start();
            Cmd.Result result;
            try {
                result = Launcher.runAs(List.of("ip", "netns", "exec", lab.hostName()), "gleaner", Duration.ofSeconds(60),
                        List.of("agent", "--stdout", "--config", config.toString(), "--cycles", "3", "-i", "2s", "--collectors", "conntrack")).ok();
            } finally {
                running.set(false);
                traffic.join(30_000);
            }
            List<String> lines = result.stdout().lines().toList();
            String v4 = MetricNames.escape("198.18.0.2");
            String v6 = MetricNames.escape("2001:2::2");
            for (String metric : List.of(".conntrack.peers." + v4 + ".bytes_out ", ".conntrack.peers.lab.bytes_in ",
                    ".conntrack.peers." + v6 + ".packets_out ", ".conntrack.total.flows_started ",
                    ".conntrack.services.tcp_7000.peers." + v4 + ".bytes_in ", ".conntrack.collector.lost_events 0 ")) {
                assertTrue(lines.stream().anyMatch(line -> line.contains(metric) && !line.contains(metric + "0 ")
                        || metric.endsWith(" 0 ") && line.contains(metric)), metric + " missing or zero in:\n" + result.stdout());
            }
            for (String line : lines) {
                assertTrue(line.matches("[A-Za-z0-9_.-]+ -?[0-9.eE+-]+ [0-9]+"), "malformed line: " + line);
            }
        }
    }

    /** New short flows to three peers, every few tens of milliseconds (bounded: at most 200 rounds). */
    private static void exchangeUntilStopped(NetnsPair lab, Path ctpeer, AtomicBoolean running) {
        for (int round = 0; round < 200 && running.get(); round++) {
            lab.inHost(ctpeer.toString(), "flows", "5", "6", String.valueOf(PORT), "100",
                    NetnsPair.PEERS_V4.get(0), NetnsPair.PEERS_V4.get(1), NetnsPair.PEER_V6).ok();
        }
    }

    @Test
    @Privileged("the test makes a network namespace and drops CAP_NET_ADMIN with setpriv")
    void withoutCapNetAdminTheAgentSaysWhyOnOneLine() {
        try (NetnsPair lab = NetnsPair.create()) {
            Cmd.Result result = Launcher.runAs(List.of("ip", "netns", "exec", lab.hostName(),
                    "setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin"), "gleaner", Duration.ofSeconds(60),
                    List.of("agent", "--stdout", "--cycles", "1", "--collectors", "conntrack"));
            assertEquals(1, result.exit(), result.stderr());
            assertEquals(1, result.stderr().strip().lines().count(), result.stderr());
            assertTrue(result.stderr().contains("conntrack") && result.stderr().contains("CAP_NET_ADMIN"), result.stderr());
        }
    }

    @Test
    void badOptionsAreConfigErrorsOnOneLine(@TempDir Path dir) throws Exception {
        for (String bad : List.of("services: [tcp/99999]", "networks: {office: 192.0.2.0/40}", "namespaces: [nosuchns]", "top: 0")) {
            Path config = dir.resolve("gleaner.yaml");
            Files.writeString(config, "collectors:\n  conntrack:\n    " + bad + "\n");
            Cmd.Result result = Launcher.run("gleaner", Duration.ofSeconds(60),
                    List.of("agent", "--stdout", "--cycles", "1", "--config", config.toString(), "--collectors", "conntrack"));
            assertEquals(2, result.exit(), bad + ": " + result.stderr());
            assertEquals(1, result.stderr().strip().lines().count(), result.stderr());
            assertTrue(result.stderr().contains("collectors.conntrack." + bad.substring(0, bad.indexOf(':'))), result.stderr());
        }
    }
}
