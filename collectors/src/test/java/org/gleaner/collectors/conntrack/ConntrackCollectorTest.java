package org.gleaner.collectors.conntrack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gleaner.testkit.NetnsPair;
import org.gleaner.testkit.Privileged;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@Privileged("conntrack needs CAP_NET_ADMIN, and the test makes network namespaces")
class ConntrackCollectorTest {
    private static final Set<String> LOCAL = Set.of(NetnsPair.HOST_V4, NetnsPair.HOST_V6);
    private static Path ctpeer;

    @BeforeAll
    static void compile() {
        ctpeer = Lab.ctpeer();
    }

    /** Polls the collector every {@code periodMillis} on its own thread, as the agent does. */
    private static final class Poller implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Throwable> failures = new ArrayList<>();
        private final Thread thread;
        private final ConntrackCollector collector;
        private final Lab.LastValues sink;

        Poller(ConntrackCollector collector, Lab.LastValues sink, long periodMillis) {
            this.collector = collector;
            this.sink = sink;
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        collector.collect(sink);
                        Thread.sleep(periodMillis);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Throwable e) {
                        failures.add(e);
                        return;
                    }
                }
            });
            thread.start();
        }

        /** Stops polling, then collects once more. */
        @Override
        public void close() throws Exception {
            running.set(false);
            thread.join(30_000);
            assertTrue(failures.isEmpty(), () -> "collect failed: " + failures);
            collector.collect(sink);
        }
    }

    @Test
    void billsEveryPeerExactlyAcrossShortFlowsLongFlowsAndARestart() throws Exception {
        try (NetnsPair lab = NetnsPair.create()) {
            Lab.serve(lab, ctpeer);
            List<String> peers = new ArrayList<>(NetnsPair.PEERS_V4);
            peers.add(NetnsPair.PEER_V6);
            Lab.LastValues before = new Lab.LastValues();
            Lab.LastValues after = new Lab.LastValues();
            Lab.Oracle oracle = new Lab.Oracle(lab);
            {
                ConntrackCollector first = ConntrackCollector.start(Lab.settings(lab, true, PeerNaming.perAddress(), Set.of(), 100));
                List<Lab.LongFlow> longFlows = new ArrayList<>();
                for (String peer : peers) {
                    longFlows.add(new Lab.LongFlow(lab, ctpeer, peer));
                }
                try (Poller poller = new Poller(first, before, 150)) {
                    for (int round = 0; round < 5; round++) {
                        for (int i = 0; i < longFlows.size(); i++) {
                            longFlows.get(i).exchange(10_000 * (i + 1) + round);
                        }
                        Lab.flows(lab, ctpeer, 120, 1 + round, peers);
                        oracle.deleteFinished(); // most of these flows start and end between two dumps
                    }
                }
                first.close();

                // The restart: traffic after the last poll of the first collector and before the
                // second one starts would not be counted, so there is none; nothing may count twice.
                ConntrackCollector second = ConntrackCollector.start(Lab.settings(lab, true, PeerNaming.perAddress(), Set.of(), 100));
                try (Poller poller = new Poller(second, after, 150)) {
                    for (int round = 0; round < 4; round++) {
                        for (int i = 0; i < longFlows.size(); i++) {
                            longFlows.get(i).exchange(7_000 * (i + 1) + round);
                        }
                        Lab.flows(lab, ctpeer, 100, 100 + round, peers);
                        oracle.deleteFinished();
                    }
                    for (Lab.LongFlow flow : longFlows) {
                        flow.close();
                    }
                    Thread.sleep(300);
                    oracle.listRemaining();
                }
                second.close();

                Map<String, long[]> expected = oracle.perPeer(LOCAL);
                Map<String, long[]> billed = new HashMap<>();
                for (Map<String, long[]> part : List.of(before.peers(), after.peers())) {
                    part.forEach((peer, values) -> Traffic.add(billed.computeIfAbsent(peer, key -> Traffic.zero()), values));
                }
                for (String peer : peers) {
                    long[] want = expected.get(peer);
                    long[] got = billed.get(peer);
                    for (int i = Traffic.BYTES_IN; i <= Traffic.FLOWS_STARTED; i++) {
                        assertEquals(want[i], got[i], Traffic.NAMES.get(i) + " of " + peer + "\nexpected:\n"
                                + Lab.text(expected) + "billed:\n" + Lab.text(billed));
                    }
                }
                // The harness really made its flows. A flow missing from the oracle is missing from the
                // billing too (the per-peer equality above, flows included, already holds), so this only
                // guards against an empty or broken oracle: once in many runs one short flow is absent from both.
                assertTrue(oracle.entries() >= 1000, "the oracle saw the flows: " + oracle.entries());
                assertEquals(0, before.get("collector", "lost_events") + after.get("collector", "lost_events"));
                assertEquals(0, after.get("collector", "flows_vanished"));
            }
        }
    }

    @Test
    void aFloodOfTenThousandFlowsDestroyedAtOnceWhileTheCollectorIsBusyLosesNothing() throws Exception {
        try (NetnsPair lab = NetnsPair.create()) {
            lab.nftInPeers("""
                    table inet gleaner_test {
                        chain in { type filter hook input priority 0; udp dport 20000-29999 drop; }
                    }
                    """);
            try (ConntrackCollector collector = ConntrackCollector.start(Lab.settings(lab, true, PeerNaming.perAddress(), Set.of(), 10))) {
                lab.inHost(ctpeer.toString(), "flood", "198.18.0.3", "10000", "100").ok();
                // The collector does not poll (busy) while all 10k entries end at once.
                lab.inHost("conntrack", "-F").ok();
                Lab.LastValues sink = new Lab.LastValues();
                for (int attempt = 0; attempt < 50 && sink.get("peers", "198.18.0.3", "flows_ended") < 10_000; attempt++) {
                    collector.collect(sink);
                    Thread.sleep(100);
                }
                assertEquals(0, sink.get("collector", "lost_events"));
                assertEquals(10_000, sink.get("collector", "destroy_events"));
                assertEquals(10_000, sink.get("peers", "198.18.0.3", "flows_started"));
                assertEquals(10_000, sink.get("peers", "198.18.0.3", "flows_ended"));
                assertEquals(10_000, sink.get("peers", "198.18.0.3", "packets_out"));
                assertEquals(10_000 * (100 + 28), sink.get("peers", "198.18.0.3", "bytes_out"), "UDP payload + IPv4 and UDP headers");
                assertEquals(0, sink.get("peers", "198.18.0.3", "bytes_in"));
            }
        }
    }

    @Test
    void natFlowsCountForTheRealPeerAndIncomingFlowsForWhoOpenedThem() throws Exception {
        try (NetnsPair lab = NetnsPair.create()) {
            lab.inHost("ip", "addr", "add", "198.18.1.1/24", "dev", "vh").ok();
            lab.inHost("ip", "route", "add", "198.19.0.0/16", "dev", "vh").ok();
            lab.nftInHost("""
                    table ip gleaner_nat {
                        chain out { type nat hook output priority -100; ip daddr 198.19.255.1 dnat to 198.18.0.4; }
                        chain post { type nat hook postrouting priority 100; ip saddr 198.18.1.1 masquerade; }
                    }
                    """);
            lab.nftInPeers("""
                    table inet gleaner_test {
                        chain in { type filter hook input priority 0; udp dport 20000-29999 drop; }
                    }
                    """);
            Process server = lab.startInHost(List.of(ctpeer.toString(), "serve", String.valueOf(Lab.PORT), NetnsPair.HOST_V4));
            assertEquals("ready", new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream())).readLine());
            Lab.Oracle oracle = new Lab.Oracle(lab);
            Lab.LastValues sink = new Lab.LastValues();
            try (ConntrackCollector collector = ConntrackCollector.start(Lab.settings(lab, true, PeerNaming.perAddress(), Set.of(), 10))) {
                lab.inHost(ctpeer.toString(), "flood", "198.19.255.1", "5", "200", "198.18.1.1").ok();
                lab.inPeers(ctpeer.toString(), "flows", "5", "6", String.valueOf(Lab.PORT), "300", NetnsPair.HOST_V4).ok();
                Thread.sleep(300);
                oracle.listRemaining();
                collector.collect(sink);
            }
            Map<String, long[]> billed = sink.peers();
            assertEquals(Set.of("198.18.0.4", "198.18.0.2"), billed.keySet(), Lab.text(billed));
            long[] natted = billed.get("198.18.0.4");
            assertEquals(5, natted[Traffic.FLOWS_STARTED]);
            assertEquals(5 * (200 + 28), natted[Traffic.BYTES_OUT], "sent to 198.19.255.1 from 198.18.1.1, rewritten both ways");
            Map<String, long[]> expected = oracle.perPeer(Set.of(NetnsPair.HOST_V4, "198.18.1.1"));
            assertArrayEquals(expected.get("198.18.0.2"), billed.get("198.18.0.2"), "opened by the peer:\n" + Lab.text(expected));
            assertEquals(6, billed.get("198.18.0.2")[Traffic.FLOWS_STARTED]);
        }
    }

    @Test
    void flowsWithoutCountersAreReportedAsSuch() throws Exception {
        try (NetnsPair lab = NetnsPair.create()) {
            lab.hostSysctl("nf_conntrack_acct", "0");
            lab.hostSysctl("nf_conntrack_events", "1");
            Lab.serve(lab, ctpeer);
            Lab.LastValues sink = new Lab.LastValues();
            try (ConntrackCollector collector = ConntrackCollector.start(Lab.settings(lab, false, PeerNaming.perAddress(), Set.of(), 10))) {
                Lab.flows(lab, ctpeer, 10, 100, List.of("198.18.0.2"));
                collector.collect(sink);
            }
            assertEquals(10, sink.get("collector", "flows_without_counters"));
            assertEquals(10, sink.get("peers", "198.18.0.2", "flows_started"));
            assertEquals(0, sink.get("peers", "198.18.0.2", "bytes_in") + sink.get("peers", "198.18.0.2", "bytes_out"));
            assertEquals("0", lab.inHost("sysctl", "-n", "net.netfilter.nf_conntrack_acct").ok().stdout().trim(), "setup is opt-in");
        }
    }
}
