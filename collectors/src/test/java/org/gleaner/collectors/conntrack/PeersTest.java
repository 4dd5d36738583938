package org.gleaner.collectors.conntrack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.gleaner.collectors.ctnetlink.Flow;
import org.junit.jupiter.api.Test;

/** Naming, direction and the cap on named peers. */
class PeersTest {

    @Test
    void addressesAreWrittenInTheirCanonicalForm() {
        assertEquals("198.18.0.2", Addresses.format(Addresses.parse("198.18.0.2")));
        assertEquals("2001:db8::1", Addresses.format(Addresses.parse("2001:0db8:0:0:0:0:0:1")));
        assertEquals("2001:db8:0:1::", Addresses.format(Addresses.parse("2001:db8:0:1:0:0:0:0")));
        assertEquals("2001:db8::1:0:0:1", Addresses.format(Addresses.parse("2001:db8:0:0:1:0:0:1")));
        assertEquals("2001:db8:1:1:1:1:0:1", Addresses.format(Addresses.parse("2001:db8:1:1:1:1:0:1")));
        assertEquals("::", Addresses.format(new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> Addresses.parse("example.com"));
    }

    @Test
    void namedNetworksComeFirstThenPrefixesThenAddresses() {
        Map<String, String> networks = new LinkedHashMap<>();
        networks.put("office", "192.0.2.0/24");
        networks.put("lab", "2001:db8:5::/48");
        PeerNaming naming = new PeerNaming(16, 64, networks);
        assertEquals("office", naming.name(Addresses.parse("192.0.2.77")));
        assertEquals("lab", naming.name(Addresses.parse("2001:db8:5:9::1")));
        assertEquals("198.51.0.0/16", naming.name(Addresses.parse("198.51.100.7")));
        assertEquals("2001:db8:6:7::/64", naming.name(Addresses.parse("2001:db8:6:7:8::1")));
        assertEquals("198.51.100.7", PeerNaming.perAddress().name(Addresses.parse("198.51.100.7")));
        assertThrows(IllegalArgumentException.class, () -> new PeerNaming(32, 128, Map.of("x", "192.0.2.0/33")));
        assertThrows(IllegalArgumentException.class, () -> new PeerNaming(32, 128, Map.of("x", "192.0.2.0")));
    }

    @Test
    void thePeerIsTheRemoteEndWhicheverSideOpenedTheFlowAndAfterDestinationNat() {
        byte[] host = Addresses.parse("198.18.0.1");
        byte[] dialled = Addresses.parse("198.19.255.1");
        byte[] real = Addresses.parse("198.18.0.4");
        PeerTraffic traffic = new PeerTraffic(Set.of(ByteBuffer.wrap(host)), PeerNaming.perAddress(), Set.of("udp_7000", "tcp_22"));
        // opened here, to an address that destination NAT sent to another host and port
        traffic.traffic(new Flow(false, 2, 17, host, dialled, 40000, 9, real, host, 7000, 0, 1, 0, true, 1, 100, 2, 300, 0),
                1, 100, 2, 300, true, false);
        // opened by the peer
        traffic.traffic(new Flow(false, 2, 6, real, host, 50000, 22, host, real, 22, 0, 2, 0, true, 3, 500, 4, 900, 0),
                3, 500, 4, 900, false, true);
        assertArrayEquals(new long[] {300 + 500, 100 + 900, 2 + 3, 1 + 4, 1, 1}, traffic.peers().get("198.18.0.4"));
        assertEquals(Set.of("198.18.0.4"), traffic.peers().keySet());
        assertArrayEquals(new long[] {300, 100, 2, 1, 1, 0}, traffic.byService().get("udp_7000").get("198.18.0.4"));
        assertArrayEquals(new long[] {500, 900, 3, 4, 0, 1}, traffic.byService().get("tcp_22").get("198.18.0.4"));
        assertArrayEquals(new long[] {800, 1000, 5, 5, 1, 1}, traffic.total());
    }

    @Test
    void theBusiestNewcomersTakeFreeSlotsTheRestGoToOtherAndAreCounted() {
        CappedPeers peers = new CappedPeers(2, 60_000);
        Map<String, long[]> first = Map.of("a", values(10), "b", values(30), "c", values(20));
        CappedPeers.Snapshot snapshot = peers.add(first, 0);
        assertEquals(Set.of("b", "c"), snapshot.named().keySet());
        assertArrayEquals(values(10), snapshot.other());
        assertArrayEquals(values(60), snapshot.total());
        assertEquals(1, snapshot.folded());

        snapshot = peers.add(Map.of("a", values(1000), "c", values(1)), 30_000);
        assertEquals(Set.of("b", "c"), snapshot.named().keySet(), "a peer keeps its slot while active");
        assertArrayEquals(values(1010), snapshot.other());
        assertEquals(2, snapshot.folded());

        snapshot = peers.add(Map.of("a", values(5)), 60_000);
        assertEquals(Set.of("a", "c"), snapshot.named().keySet(), "b was idle for a minute and gave its slot up");
        assertArrayEquals(values(5), snapshot.named().get("a"));
        assertArrayEquals(values(1066), snapshot.total());
    }

    private static long[] values(long bytesIn) {
        long[] values = Traffic.zero();
        values[Traffic.BYTES_IN] = bytesIn;
        return values;
    }
}
