package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two network namespaces made for one test, "host" and "peers", joined by a veth pair: the host
 * has 198.18.0.1 and 2001:2::1, the peers side 198.18.0.2-4 and 2001:2::2 (benchmarking ranges,
 * RFC 2544 and RFC 5180). The host's conntrack is active (a {@code ct state new} rule in its own
 * nftables table). Nothing touches the root namespace; {@link #close} stops every process started
 * here and deletes both namespaces. Needs root.
 */
public final class NetnsPair implements AutoCloseable {
    public static final String HOST_V4 = "198.18.0.1";
    public static final String HOST_V6 = "2001:2::1";
    public static final List<String> PEERS_V4 = List.of("198.18.0.2", "198.18.0.3", "198.18.0.4");
    public static final String PEER_V6 = "2001:2::2";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private final String host;
    private final String peers;
    private final List<Process> processes = new ArrayList<>();

    private NetnsPair(String host, String peers) {
        this.host = host;
        this.peers = peers;
    }

    /** Creates both namespaces, the link, the addresses and the host's conntrack rule. */
    public static NetnsPair create() {
        String base = "glct" + ProcessHandle.current().pid() + "n" + COUNTER.incrementAndGet();
        NetnsPair pair = new NetnsPair(base + "h", base + "p");
        try {
            Cmd.run(LIMIT, "ip", "netns", "add", pair.host).ok();
            Cmd.run(LIMIT, "ip", "netns", "add", pair.peers).ok();
            pair.inHost("ip", "link", "set", "lo", "up").ok();
            pair.inPeers("ip", "link", "set", "lo", "up").ok();
            pair.inHost("ip", "link", "add", "vh", "type", "veth", "peer", "name", "vp", "netns", pair.peers).ok();
            pair.inHost("ip", "addr", "add", HOST_V4 + "/24", "dev", "vh").ok();
            pair.inHost("ip", "-6", "addr", "add", HOST_V6 + "/64", "dev", "vh", "nodad").ok();
            pair.inHost("ip", "link", "set", "vh", "up").ok();
            for (String peer : PEERS_V4) {
                pair.inPeers("ip", "addr", "add", peer + "/24", "dev", "vp").ok();
            }
            pair.inPeers("ip", "-6", "addr", "add", PEER_V6 + "/64", "dev", "vp", "nodad").ok();
            pair.inPeers("ip", "link", "set", "vp", "up").ok();
            pair.nftInHost("""
                    table inet gleaner_test {
                        chain in { type filter hook input priority 0; ct state new counter; }
                        chain out { type filter hook output priority 0; ct state new counter; }
                    }
                    """);
            return pair;
        } catch (RuntimeException | Error e) {
            pair.close();
            throw e;
        }
    }

    public String hostName() {
        return host;
    }

    /** The host namespace's file, as setns(2) takes it. */
    public Path hostPath() {
        return Path.of("/run/netns", host);
    }

    public Cmd.Result inHost(String... command) {
        return Cmd.run(LIMIT, exec(host, List.of(command)), null);
    }

    public Cmd.Result inPeers(String... command) {
        return Cmd.run(LIMIT, exec(peers, List.of(command)), null);
    }

    /** Loads an nftables script into the host namespace. */
    public void nftInHost(String script) {
        Cmd.run(LIMIT, exec(host, List.of("nft", "-f", "-")), script).ok();
    }

    public void nftInPeers(String script) {
        Cmd.run(LIMIT, exec(peers, List.of("nft", "-f", "-")), script).ok();
    }

    /** Sets {@code net.netfilter.KEY} in the host namespace only. */
    public void hostSysctl(String key, String value) {
        inHost("sysctl", "-qw", "net.netfilter." + key + "=" + value).ok();
    }

    /** Starts a long-running process in the host namespace; it is stopped by {@link #close}. */
    public Process startInHost(List<String> command) {
        return start(exec(host, command));
    }

    public Process startInPeers(List<String> command) {
        return start(exec(peers, command));
    }

    private Process start(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command + ": " + e.getMessage(), e);
        }
    }

    private static List<String> exec(String namespace, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Cmd.run(LIMIT, "ip", "netns", "del", host);
        Cmd.run(LIMIT, "ip", "netns", "del", peers);
    }
}
