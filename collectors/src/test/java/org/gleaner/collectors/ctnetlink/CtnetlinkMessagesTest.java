package org.gleaner.collectors.ctnetlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fixtures captured on this project's build machine (kernel 6.18) in a throw-away namespace:
 * a dump of three UDP entries (one created with nf_conntrack_acct=0, one IPv4 and one IPv6 with
 * counters; conntrack -L showed them as below) and the DESTROY event of the IPv4 one.
 */
class CtnetlinkMessagesTest {
    private static final byte[] HOST = {(byte) 198, 18, 0, 1};
    private static final byte[] PEER = {(byte) 198, 18, 0, 2};

    private static ByteBuffer fixture(String name) throws IOException {
        try (InputStream in = CtnetlinkMessagesTest.class.getResourceAsStream(name)) {
            return ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.nativeOrder());
        }
    }

    private static List<Flow> flows(ByteBuffer buffer, CtnetlinkMessages.Summary[] summary) {
        List<Flow> flows = new ArrayList<>();
        summary[0] = CtnetlinkMessages.parse(buffer, flows::add);
        return flows;
    }

    @Test
    void dumpGivesEveryEntryWithItsCountersOrTheirAbsence() throws IOException {
        CtnetlinkMessages.Summary[] summary = new CtnetlinkMessages.Summary[1];
        List<Flow> flows = flows(fixture("dump-udp-v4-v6-acct-off.bin"), summary);
        assertEquals(new CtnetlinkMessages.Summary(3, true, 0, 0), summary[0]);

        Flow noCounters = flows.get(0);
        assertFalse(noCounters.hasCounters(), "created while nf_conntrack_acct was 0");
        assertEquals(9001, noCounters.originalDestinationPort());
        assertEquals(44864, noCounters.originalSourcePort());
        assertEquals(3341841611L, noCounters.id());

        Flow v4 = flows.get(1);
        assertTrue(v4.hasCounters());
        assertFalse(v4.destroyed());
        assertEquals(2, v4.family());
        assertEquals(17, v4.protocol());
        assertArrayEquals(HOST, v4.originalSource());
        assertArrayEquals(PEER, v4.originalDestination());
        assertArrayEquals(PEER, v4.replySource());
        assertArrayEquals(HOST, v4.replyDestination());
        assertEquals(37163, v4.originalSourcePort());
        assertEquals(9002, v4.originalDestinationPort());
        assertEquals(9002, v4.replySourcePort());
        assertEquals(List.of(2L, 206L, 0L, 0L), List.of(v4.originalPackets(), v4.originalBytes(), v4.replyPackets(), v4.replyBytes()));
        assertEquals(4128061930L, v4.id());
        assertEquals(0, v4.zone());
        assertTrue(v4.startNanos() > 0, "nf_conntrack_timestamp was 1");
        assertFalse(v4.dying());

        Flow v6 = flows.get(2);
        assertEquals(10, v6.family());
        assertEquals(16, v6.originalSource().length);
        assertEquals(0x20, v6.replySource()[0]);
        assertEquals(2, v6.replySource()[15]);
        assertEquals(List.of(1L, 68L), List.of(v6.originalPackets(), v6.originalBytes()));
        assertEquals(447990691L, v6.id());
    }

    @Test
    void destroyEventCarriesTheFinalCounters() throws IOException {
        CtnetlinkMessages.Summary[] summary = new CtnetlinkMessages.Summary[1];
        List<Flow> flows = flows(fixture("destroy-udp-v4.bin"), summary);
        assertEquals(new CtnetlinkMessages.Summary(1, false, 0, 0), summary[0]);
        Flow flow = flows.get(0);
        assertTrue(flow.destroyed());
        assertEquals(4128061930L, flow.id());
        assertEquals(List.of(2L, 206L, 0L, 0L), List.of(flow.originalPackets(), flow.originalBytes(), flow.replyPackets(), flow.replyBytes()));
    }

    @Test
    void dumpRequestAsksForEveryFamily() {
        ByteBuffer request = ByteBuffer.wrap(CtnetlinkMessages.dumpRequest(7, 0)).order(ByteOrder.nativeOrder());
        assertEquals(20, request.getInt(0));
        assertEquals(0x0101, request.getShort(4));
        assertEquals(0x301, request.getShort(6));
        assertEquals(7, request.getInt(8));
        assertEquals(0, request.get(16));
    }

    @Test
    void everyTruncationIsCountedNeverThrown() throws IOException {
        ByteBuffer whole = fixture("dump-udp-v4-v6-acct-off.bin");
        for (int length = 0; length < whole.limit(); length++) {
            ByteBuffer cut = whole.duplicate().limit(length).order(ByteOrder.nativeOrder());
            CtnetlinkMessages.Summary[] summary = new CtnetlinkMessages.Summary[1];
            List<Flow> flows = flows(cut, summary);
            assertFalse(summary[0].done(), "length " + length);
            assertTrue(flows.size() <= 3, "length " + length);
            assertTrue(length == 0 || summary[0].malformed() > 0 || isBoundary(whole, length), "length " + length);
        }
    }

    /** Whether {@code length} ends exactly after a message (then nothing is malformed, just fewer messages). */
    private static boolean isBoundary(ByteBuffer buffer, int length) {
        int offset = 0;
        while (offset < length) {
            offset += (buffer.getInt(offset) + 3) & ~3;
        }
        return offset == length;
    }

    @Test
    void randomCorruptionNeverThrowsAndNeverInventsAddresses() throws IOException {
        ByteBuffer whole = fixture("dump-udp-v4-v6-acct-off.bin");
        Random random = new Random(11);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[whole.limit()];
            whole.get(0, bytes);
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            CtnetlinkMessages.parse(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), flow -> {
                assertTrue(flow.originalSource().length == 4 || flow.originalSource().length == 16);
                assertTrue(flow.replySource().length == 4 || flow.replySource().length == 16);
            });
        }
    }

    @Test
    void anAddressOfTheWrongSizeMakesTheEntryMalformed() throws IOException {
        ByteBuffer buffer = fixture("destroy-udp-v4.bin");
        // the first CTA_IP_V4_SRC: nlmsghdr 16 + nfgenmsg 4 + CTA_TUPLE_ORIG header 4 + CTA_TUPLE_IP header 4
        int attribute = 16 + 4 + 4 + 4;
        assertEquals(1, buffer.getShort(attribute + 2));
        buffer.putShort(attribute + 2, (short) 3); // now claims to be an IPv6 source of 4 bytes
        CtnetlinkMessages.Summary[] summary = new CtnetlinkMessages.Summary[1];
        assertEquals(List.of(), flows(buffer, summary));
        assertEquals(1, summary[0].malformed());
    }
}
