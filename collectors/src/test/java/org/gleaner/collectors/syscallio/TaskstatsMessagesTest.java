package org.gleaner.collectors.syscallio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.gleaner.collectors.netlink.NetlinkAttributes;
import org.junit.jupiter.api.Test;

/** Parses datagrams captured on this kernel (see src/test/resources/syscallio/README.md) and broken ones. */
class TaskstatsMessagesTest {
    private static final int FAMILY = 31;
    private static final List<String> FIXTURES = List.of(
            "getfamily-reply.bin", "exit-single-thread.bin", "exit-thread.bin", "exit-last-thread.bin");

    static ByteBuffer fixture(String name) throws IOException {
        try (InputStream in = TaskstatsMessagesTest.class.getResourceAsStream("/syscallio/" + name)) {
            return ByteBuffer.wrap(in.readAllBytes());
        }
    }

    @Test
    void familyIdComesFromTheControllerReply() throws IOException {
        assertEquals(FAMILY, TaskstatsMessages.familyId(fixture("getfamily-reply.bin")));
    }

    @Test
    void familyLookupErrorIsANegativeErrno() {
        ByteBuffer error = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        error.putInt(36).putShort((short) TaskstatsMessages.NLMSG_ERROR).putShort((short) 0).putInt(1).putInt(0);
        error.putInt(-2).flip();
        assertEquals(-2, TaskstatsMessages.familyId(error.limit(36)));
    }

    @Test
    void singleThreadedExitCarriesTheRoundedCounters() throws IOException {
        var datagram = TaskstatsMessages.parse(fixture("exit-single-thread.bin"), FAMILY);
        assertEquals(0, datagram.malformed());
        assertEquals(List.of(new TaskExit(10254, 10254, 10174, "fixture-dd",
                IoCounters.of(1054720, 1048576, 0, 0, 0, 0, 0), true, 16)), datagram.exits());
    }

    @Test
    void threadExitNamesItsProcess() throws IOException {
        var datagram = TaskstatsMessages.parse(fixture("exit-thread.bin"), FAMILY);
        assertEquals(0, datagram.malformed());
        TaskExit exit = datagram.exits().get(0);
        assertEquals(List.of(10252, 10251, "fixture-worker", 14336L, false),
                List.of(exit.pid(), exit.tgid(), exit.comm(), exit.counters().get(1), exit.groupDead()));
    }

    @Test
    void lastThreadsPerProcessRecordIsSkippedForItHoldsNoIo() throws IOException {
        var datagram = TaskstatsMessages.parse(fixture("exit-last-thread.bin"), FAMILY);
        assertEquals(0, datagram.malformed());
        assertEquals(1, datagram.exits().size());
        assertEquals(new TaskExit(10251, 10251, 10174, "fixture-main", IoCounters.of(3072, 2048, 0, 0, 0, 0, 0), true, 16),
                datagram.exits().get(0));
    }

    @Test
    void messagesOfAnotherFamilyAreIgnored() throws IOException {
        var datagram = TaskstatsMessages.parse(fixture("exit-single-thread.bin"), FAMILY + 1);
        assertEquals(List.of(), datagram.exits());
        assertEquals(0, datagram.malformed());
    }

    @Test
    void everyTruncationIsCountedAsMalformedNeverThrown() throws IOException {
        for (String name : FIXTURES) {
            byte[] whole = fixture(name).array();
            for (int length = 0; length < whole.length; length++) {
                ByteBuffer cut = ByteBuffer.wrap(whole, 0, length).slice();
                var datagram = TaskstatsMessages.parse(cut, FAMILY);
                assertTrue(datagram.exits().isEmpty(), name + " cut at " + length + " gave an exit");
                assertTrue(length == 0 || datagram.malformed() > 0, name + " cut at " + length + " was not noticed");
                TaskstatsMessages.familyId(cut);
            }
        }
    }

    @Test
    void corruptedBytesNeverThrow() throws IOException {
        Random random = new Random(4);
        for (String name : FIXTURES) {
            byte[] whole = fixture(name).array();
            for (int round = 0; round < 2000; round++) {
                byte[] corrupt = whole.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
                }
                var datagram = TaskstatsMessages.parse(ByteBuffer.wrap(corrupt), FAMILY);
                for (TaskExit exit : datagram.exits()) {
                    assertTrue(exit.pid() > 0, "an exit with pid " + exit.pid());
                }
                TaskstatsMessages.familyId(ByteBuffer.wrap(corrupt));
            }
        }
    }

    @Test
    void statsTooShortForTheIoCountersAreRejected() {
        ByteBuffer stats = ByteBuffer.allocate(TaskstatsMessages.IO_END - 1).order(ByteOrder.nativeOrder());
        stats.putInt(TaskstatsMessages.OFFSET_PID, 5);
        assertEquals(null, TaskstatsMessages.parseStats(stats, 0, stats.capacity()));
    }

    @Test
    void oldStructsWithoutTgidReportZero() {
        ByteBuffer stats = ByteBuffer.allocate(TaskstatsMessages.IO_END).order(ByteOrder.nativeOrder());
        stats.putShort(0, (short) 8).putInt(TaskstatsMessages.OFFSET_PID, 5).putInt(TaskstatsMessages.OFFSET_PPID, 1);
        stats.putLong(TaskstatsMessages.OFFSET_READ_CHAR + 8, 4096);
        TaskExit exit = TaskstatsMessages.parseStats(stats, 0, stats.capacity());
        assertEquals(new TaskExit(5, 0, 1, "", IoCounters.of(0, 4096, 0, 0, 0, 0, 0), false, 8), exit);
    }

    @Test
    void requestsAreAlignedAndCarryTheirAttribute() {
        byte[] register = TaskstatsMessages.listenerRequest(FAMILY, 7, "0-1", true);
        ByteBuffer message = ByteBuffer.wrap(register).order(ByteOrder.nativeOrder());
        assertEquals(register.length, message.getInt(0));
        assertEquals(0, register.length % 4);
        assertEquals(FAMILY, message.getShort(4));
        assertEquals(7, message.getInt(8));
        assertEquals(TaskstatsMessages.TASKSTATS_CMD_GET, register[16]);
        var attributes = NetlinkAttributes.walk(message, 20, register.length);
        assertTrue(attributes.complete());
        var mask = attributes.first(TaskstatsMessages.TASKSTATS_CMD_ATTR_REGISTER_CPUMASK);
        assertEquals("0-1\0", new String(register, mask.valueOffset(), mask.valueLength()));

        byte[] lookup = TaskstatsMessages.getFamilyRequest(1);
        assertEquals(TaskstatsMessages.GENL_ID_CTRL, ByteBuffer.wrap(lookup).order(ByteOrder.nativeOrder()).getShort(4));
        assertEquals(0, lookup.length % 4);
    }
}
