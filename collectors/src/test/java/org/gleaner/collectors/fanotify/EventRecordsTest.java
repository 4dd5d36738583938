package org.gleaner.collectors.fanotify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The fixtures are read(2) buffers captured on this project's build machine (kernel 6.18, tmpfs)
 * with src/test/resources/fanotify/capture.c; the commands that made them are listed there.
 */
class EventRecordsTest {
    private static final long ONDIR = FileEvent.ONDIR;

    @Test
    void fidModeBufferDecodesEveryEventWithItsEntryName() throws IOException {
        List<RawEvent> events = parse(fixture("fid-events.bin"));
        List<String> summary = new ArrayList<>();
        for (RawEvent event : events) {
            summary.add(Long.toHexString(event.mask()) + " " + (event.name() == null ? null : new String(event.name(), java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals(RawEvent.NO_FD, event.fd());
            assertNotNull(event.directory(), "every FID-mode event names its directory");
            assertTrue(event.pid() > 0);
        }
        // Nobody read while the workload ran, so the kernel merged each process's events on one entry.
        assertEquals(List.of(
                hex(FileEvent.CREATE | ONDIR) + " dir",
                hex(FileEvent.CREATE | FileEvent.OPEN | FileEvent.MODIFY | FileEvent.CLOSE_WRITE) + " file",
                hex(FileEvent.OPEN | FileEvent.ACCESS | FileEvent.CLOSE_NOWRITE) + " file",
                hex(FileEvent.MOVED_FROM) + " file",
                hex(FileEvent.MOVED_TO) + " new name",
                hex(FileEvent.DELETE) + " new name",
                hex(FileEvent.MOVED_FROM | ONDIR) + " dir",
                hex(FileEvent.MOVED_TO | ONDIR) + " moved",
                hex(FileEvent.DELETE | ONDIR) + " moved"), summary);
    }

    @Test
    void handlesIdentifyDirectoriesAndTargets() throws IOException {
        List<RawEvent> events = parse(fixture("fid-events.bin"));
        RawEvent createDir = events.get(0);
        RawEvent createFile = events.get(1);
        // the created directory (TARGET_FID) is the directory of the file created in it
        assertEquals(createDir.object(), createFile.directory());
        assertNotEquals(createDir.directory(), createFile.directory());
        // all on one filesystem
        Set<Long> fsids = new TreeSet<>();
        events.forEach(e -> fsids.add(e.directory().fsid()));
        assertEquals(1, fsids.size());
        // a moved directory keeps its handle
        assertEquals(createDir.object(), events.get(6).object());
        assertEquals(createDir.object(), events.get(7).object());
    }

    @Test
    void fdModeBufferCarriesDescriptorsAndNoInfoRecords() throws IOException {
        List<RawEvent> events = parse(fixture("fd-events.bin"));
        assertEquals(2, events.size());
        for (RawEvent event : events) {
            assertTrue(event.fd() >= 0);
            assertNull(event.directory());
            assertNull(event.object());
            assertNull(event.name());
        }
        assertEquals(FileEvent.OPEN | FileEvent.MODIFY | FileEvent.CLOSE_WRITE, events.get(0).mask());
        assertEquals(FileEvent.OPEN | FileEvent.ACCESS | FileEvent.CLOSE_NOWRITE, events.get(1).mask());
    }

    @Test
    void overflowEventIsRecognised() {
        ByteBuffer buffer = metadata(24, 3, 24, RawEvent.Q_OVERFLOW, -1, 0);
        List<RawEvent> events = parse(buffer);
        assertEquals(1, events.size());
        assertTrue(events.get(0).isOverflow());
    }

    @Test
    void everyTruncationIsReportedAfterTheWholeEventsBeforeIt() throws IOException {
        byte[] whole = fixture("fid-events.bin");
        List<Integer> boundaries = boundaries(whole);
        for (int length = 1; length < whole.length; length++) {
            List<RawEvent> delivered = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.wrap(whole);
            int cut = length;
            int wholeEvents = (int) boundaries.stream().filter(b -> b <= cut).count() - 1;
            if (boundaries.contains(length)) {
                EventRecords.parse(buffer, length, delivered::add);
            } else {
                assertThrows(MalformedEventException.class, () -> EventRecords.parse(buffer, cut, delivered::add),
                        "cut at " + length);
            }
            assertEquals(wholeEvents, delivered.size(), "cut at " + length);
        }
    }

    @Test
    void zeroLengthRecordsCannotLoopForever() {
        assertThrows(MalformedEventException.class, () -> parse(metadata(0, 3, 24, 1, -1, 1)));
        ByteBuffer zeroInfo = ByteBuffer.allocate(28).order(ByteOrder.nativeOrder());
        zeroInfo.put(metadata(28, 3, 24, 1, -1, 1));
        zeroInfo.put(24, (byte) 1).putShort(26, (short) 0);
        assertThrows(MalformedEventException.class, () -> parse(zeroInfo));
    }

    @Test
    void wrongVersionAndShortMetadataAreRejected() {
        assertThrows(MalformedEventException.class, () -> parse(metadata(24, 2, 24, 1, -1, 1)));
        assertThrows(MalformedEventException.class, () -> parse(metadata(24, 3, 16, 1, -1, 1)));
        assertThrows(MalformedEventException.class, () -> parse(metadata(48, 3, 24, 1, -1, 1)));
    }

    @Test
    void handleOverrunAndUnterminatedNameAreRejected() throws IOException {
        byte[] whole = fixture("fid-events.bin");
        int firstEnd = boundaries(whole).get(1);
        byte[] first = java.util.Arrays.copyOf(whole, firstEnd);
        ByteBuffer view = ByteBuffer.wrap(first).order(ByteOrder.nativeOrder());
        // the first info record starts at 24; its handle_bytes field sits at 24 + 12
        byte[] overrun = first.clone();
        ByteBuffer.wrap(overrun).order(ByteOrder.nativeOrder()).putInt(36, 4096);
        assertThrows(MalformedEventException.class, () -> parse(ByteBuffer.wrap(overrun)));
        // replace the name's NUL and padding with letters
        byte[] unterminated = first.clone();
        int recordLength = Short.toUnsignedInt(view.getShort(26));
        int nameStart = 24 + 20 + view.getInt(36);
        for (int i = nameStart; i < 24 + recordLength; i++) {
            unterminated[i] = 'x';
        }
        assertThrows(MalformedEventException.class, () -> parse(ByteBuffer.wrap(unterminated)));
    }

    @Test
    void unknownInfoRecordTypesAreSkipped() {
        ByteBuffer buffer = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        buffer.put(metadata(32, 3, 24, FileEvent.OPEN, -1, 7));
        buffer.put(24, (byte) 4).putShort(26, (short) 8).putInt(28, 99); // a PIDFD record
        List<RawEvent> events = parse(buffer);
        assertEquals(1, events.size());
        assertEquals(7, events.get(0).pid());
        assertNull(events.get(0).directory());
    }

    @Test
    void handleStructRoundTrips() throws IOException {
        FileHandle handle = parse(fixture("fid-events.bin")).get(0).directory();
        ByteBuffer struct = ByteBuffer.wrap(handle.toStruct()).order(ByteOrder.nativeOrder());
        assertEquals(handle.bytes().length, struct.getInt(0));
        assertEquals(handle.type(), struct.getInt(4));
        byte[] bytes = new byte[handle.bytes().length];
        struct.get(8, bytes);
        assertArrayEquals(handle.bytes(), bytes);
    }

    private static List<Integer> boundaries(byte[] whole) {
        ByteBuffer view = ByteBuffer.wrap(whole).order(ByteOrder.nativeOrder());
        List<Integer> boundaries = new ArrayList<>(List.of(0));
        for (int offset = 0; offset < whole.length; offset += view.getInt(offset)) {
            boundaries.add(offset + view.getInt(offset));
        }
        return boundaries;
    }

    private static String hex(long mask) {
        return Long.toHexString(mask);
    }

    private static ByteBuffer metadata(int eventLength, int version, int metadataLength, long mask, int fd, int pid) {
        ByteBuffer buffer = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        buffer.putInt(0, eventLength).put(4, (byte) version).putShort(6, (short) metadataLength)
                .putLong(8, mask).putInt(16, fd).putInt(20, pid);
        return buffer;
    }

    private static List<RawEvent> parse(byte[] bytes) {
        return parse(ByteBuffer.wrap(bytes));
    }

    private static List<RawEvent> parse(ByteBuffer buffer) {
        List<RawEvent> events = new ArrayList<>();
        EventRecords.parse(buffer, buffer.capacity(), events::add);
        return events;
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = EventRecordsTest.class.getResourceAsStream("/fanotify/" + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }
}
