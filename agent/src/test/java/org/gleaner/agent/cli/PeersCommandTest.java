package org.gleaner.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.testkit.CProgram;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Launcher;
import org.gleaner.testkit.NetnsPair;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;

/** gleaner peers through bin/gleaner, inside a test namespace with known traffic. */
@Privileged("conntrack needs CAP_NET_ADMIN, and the test makes network namespaces")
class PeersCommandTest {
    private static final String PORT = "7000";

    private static String gleaner() {
        Requirements.require(java.nio.file.Files.isReadable(Requirements.repoRoot().resolve("agent/target/gleaner.jar")),
                "agent/target/gleaner.jar is not built (mvn package -DskipTests first)");
        return Requirements.repoRoot().resolve("bin/gleaner").toString();
    }

    /** Runs {@code wrapper}, bin/gleaner and {@code args}, see {@link #withTraffic(List)}. */
    private static Cmd.Result withTraffic(List<String> wrapper, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(wrapper);
        command.add(gleaner());
        command.addAll(args);
        return withTraffic(command);
    }

    /** Runs {@code command} in the host namespace while 10-flow batches of 100-byte UDP and TCP go to 198.18.0.2. */
    private static Cmd.Result withTraffic(List<String> command) throws Exception {
        Path ctpeer = CProgram.bundled("ctpeer");
        try (NetnsPair lab = NetnsPair.create()) {
            lab.hostSysctl("nf_conntrack_acct", "1");
            Process server = lab.startInPeers(List.of(ctpeer.toString(), "serve", PORT, "198.18.0.2"));
            assertEquals("ready", server.inputReader().readLine());
            AtomicBoolean running = new AtomicBoolean(true);
            Thread traffic = new Thread(() -> {
                for (int round = 0; round < 100 && running.get(); round++) {
                    lab.inHost(ctpeer.toString(), "flows", "5", "10", PORT, "100", "198.18.0.2").ok();
                }
            });
            traffic.start();
            try {
                List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", lab.hostName()));
                full.addAll(command);
                return Cmd.run(Duration.ofSeconds(60), full, null);
            } finally {
                running.set(false);
                traffic.join(30_000);
            }
        }
    }

    @Test
    void onceAsJsonPrintsTheTotalsSinceTheStart() throws Exception {
        Cmd.Result result = withTraffic(List.of(), List.of("peers", "-i", "3s", "--once", "--json")).ok();
        List<String> lines = result.stdout().lines().toList();
        assertEquals(1, lines.size(), result.stdout());
        Matcher peer = Pattern.compile("\\{\"peer\":\"198\\.18\\.0\\.2\",\"bytes_in\":(\\d+),\"bytes_out\":(\\d+),"
                + "\"packets_in\":(\\d+),\"packets_out\":(\\d+),\"flows_started\":(\\d+)").matcher(lines.get(0));
        assertTrue(peer.find(), lines.get(0));
        assertTrue(Long.parseLong(peer.group(1)) >= 100 && Long.parseLong(peer.group(5)) >= 1, lines.get(0));
        assertTrue(lines.get(0).startsWith("{\"seconds\":") && lines.get(0).contains("\"rates\":false"), lines.get(0));
    }

    @Test
    void pipedItPrintsPlainLinesEveryIntervalUntilInterrupted() throws Exception {
        Cmd.Result result = withTraffic(List.of("timeout", "--preserve-status", "-s", "INT", "4"), List.of("peers", "-i", "1s", "-n", "5", "--by", "prefix/24"));
        assertEquals(0, result.exit(), result.stderr());
        List<String> rows = result.stdout().lines().filter(line -> line.contains(" 198.18.0.0/24 ")).toList();
        assertTrue(rows.size() >= 2, result.stdout());
        for (String line : result.stdout().lines().toList()) {
            assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d \\S+( [0-9.]+){6}"), "not a plain line: " + line);
        }
    }

    @Test
    void onATerminalItRedrawsInPlace() throws Exception {
        Requirements.requireTool("script");
        Cmd.Result result = withTraffic(List.of("script", "-qec", gleaner() + " peers -i 2s --once", "/dev/null")).ok();
        assertTrue(result.stdout().contains("\033[H\033[2J"), "cursor home and clear: " + result.stdout());
        assertTrue(result.stdout().contains("PEER") && result.stdout().contains("198.18.0.2"), result.stdout());
    }

    @Test
    void badArgumentsGiveOneLineAndStatusTwo() {
        for (List<String> args : List.of(List.of("peers", "--by", "subnet"), List.of("peers", "-i", "1ms"), List.of("peers", "--netns", "../x"))) {
            Cmd.Result result = Launcher.run("gleaner", Duration.ofSeconds(60), args);
            assertEquals(2, result.exit(), args + ": " + result.stderr());
            assertEquals(1, result.stderr().strip().lines().count(), result.stderr());
        }
    }
}
