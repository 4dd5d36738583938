package org.gleaner.agent.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    private static final long MAX = 1L << 30;

    @TempDir
    Path temp;

    private Path spoolDir() {
        return temp.resolve("spool");
    }

    private static List<Datapoint> cycle(String prefix, int count, long epochSeconds) {
        return IntStream.range(0, count)
                .mapToObj(i -> new Datapoint(prefix + ".metric" + i, i + 0.5, epochSeconds + i))
                .toList();
    }

    private static List<Datapoint> readAll(Spool spool) throws IOException {
        List<Datapoint> all = new ArrayList<>();
        for (Spool.Batch batch = spool.cursor(0).read(1 << 20); !batch.isEmpty(); batch = spool.cursor(0).read(1 << 20)) {
            all.addAll(batch.datapoints());
        }
        return all;
    }

    @SafeVarargs
    private static void appendAll(Spool spool, List<Datapoint>... cycles) throws IOException {
        for (List<Datapoint> cycle : cycles) {
            spool.append(cycle);
        }
    }

    /** Reads one record and acknowledges it; returns the position after it. */
    private static Spool.Position acknowledgeNextRecord(Spool spool) throws IOException {
        Spool.Position end = spool.cursor(0).read(1).end();
        spool.cursor(0).acknowledge(end);
        return end;
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> files = Files.list(spoolDir())) {
            List<Path> segments = files.filter(f -> f.getFileName().toString().startsWith("segment-")).toList();
            assertEquals(1, segments.size(), "segments: " + segments);
            return segments.get(0);
        }
    }

    @Test
    void readsBackWhatWasAppendedInOrderWithExactValues() throws IOException {
        List<Datapoint> first = cycle("a", 3, 1_700_000_000L);
        List<Datapoint> second = List.of(new Datapoint("b.π.x", -1.25e-300, 42), new Datapoint("b.nan", Double.NaN, 43));
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            spool.append(first);
            spool.append(second);
            List<Datapoint> expected = new ArrayList<>(first);
            expected.addAll(second);
            assertEquals(expected, readAll(spool));
            assertFalse(spool.cursor(0).hasUnread());
        }
    }

    @Test
    void restartResumesFromTheAcknowledgedPosition() throws IOException {
        Spool.Position afterFirst;
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            appendAll(spool, cycle("first", 2, 100), cycle("second", 2, 200), cycle("third", 2, 300));
            afterFirst = acknowledgeNextRecord(spool);
            assertEquals(cycle("second", 2, 200), spool.cursor(0).read(1).datapoints(), "read, not acknowledged");
        }
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            assertEquals(afterFirst, spool.cursor(0).acknowledgedPosition());
            List<Datapoint> expected = new ArrayList<>(cycle("second", 2, 200));
            expected.addAll(cycle("third", 2, 300));
            assertEquals(expected, readAll(spool), "the unacknowledged records, once each");
            assertEquals(200, spool.cursor(0).oldestPendingEpochSeconds());
        }
    }

    @Test
    void rewindReadsTheUnacknowledgedRecordsAgain() throws IOException {
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            appendAll(spool, cycle("a", 2, 10), cycle("b", 2, 20));
            acknowledgeNextRecord(spool);
            assertEquals(cycle("b", 2, 20), readAll(spool));
            spool.cursor(0).rewind();
            assertEquals(cycle("b", 2, 20), readAll(spool));
        }
    }

    @Test
    void tornLastRecordIsCutOnOpenAndAppendsContinueAfterIt() throws IOException {
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            spool.append(cycle("kept", 2, 100));
        }
        Path segment = onlySegment();
        long intact = Files.size(segment);
        // a crash in the middle of an append: a header promising 1000 bytes, then only part of them
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.allocate(40).putInt(1000).putInt(12345).putInt(7).flip());
        }
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            assertEquals(intact, Files.size(segment), "torn tail cut off");
            spool.append(cycle("after", 1, 200));
            List<Datapoint> expected = new ArrayList<>(cycle("kept", 2, 100));
            expected.addAll(cycle("after", 1, 200));
            assertEquals(expected, readAll(spool));
        }
    }

    @Test
    void lastRecordWithABadChecksumIsCutOnOpen() throws IOException {
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            spool.append(cycle("kept", 2, 100));
            spool.append(cycle("damaged", 2, 200));
        }
        Path segment = onlySegment();
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long lastByte = channel.size() - 1;
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, lastByte);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) (one.get(0) ^ 0x5a)}), lastByte);
        }
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            assertEquals(cycle("kept", 2, 100), readAll(spool));
        }
    }

    @Test
    void overMaxBytesTheOldestAreDroppedAndCountedExactly() throws IOException {
        long maxBytes = 32 * 1024;
        int cycles = 100;
        long dropped = 0;
        try (Spool spool = Spool.open(spoolDir(), maxBytes)) {
            for (int c = 0; c < cycles; c++) {
                spool.append(cycle("c" + c, 20, 1000L * c));
                dropped += spool.cursor(0).takeDropped();
                assertTrue(spool.diskBytes() <= maxBytes, "disk bytes " + spool.diskBytes());
            }
            List<Datapoint> left = readAll(spool);
            assertTrue(dropped > 0, "nothing dropped");
            assertEquals(cycles * 20L, dropped + left.size(), "every datapoint either kept or counted as dropped");
            assertTrue(left.size() * 40L > maxBytes / 2, "most of max_bytes is kept: " + left.size());
            int firstKept = (int) (dropped / 20);
            assertEquals(cycle("c" + firstKept, 20, 1000L * firstKept).get(0), left.get(0), "the oldest went first");
            assertEquals(cycle("c" + (cycles - 1), 20, 1000L * (cycles - 1)).get(19), left.get(left.size() - 1));
            assertEquals(1000L * firstKept, spool.cursor(0).oldestPendingEpochSeconds());
        }
    }

    @Test
    void acknowledgedDataIsNotCountedAsDropped() throws IOException {
        long maxBytes = 32 * 1024;
        try (Spool spool = Spool.open(spoolDir(), maxBytes)) {
            long dropped = 0;
            for (int c = 0; c < 100; c++) {
                spool.append(cycle("c" + c, 10, c));
                dropped += spool.cursor(0).takeDropped();
                spool.cursor(0).acknowledge(spool.cursor(0).read(1 << 20).end());
            }
            assertEquals(0, dropped);
            assertEquals(0, spool.cursor(0).pendingBytes());
            assertEquals(-1, spool.cursor(0).oldestPendingEpochSeconds());
        }
    }

    @Test
    void filesAreOwnerOnlyAndTheDirectoryIsPrivate() throws IOException {
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            spool.append(cycle("a", 1, 1));
            spool.cursor(0).acknowledge(spool.cursor(0).read(1).end());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spoolDir())));
            try (Stream<Path> files = Files.list(spoolDir())) {
                for (Path file : files.toList()) {
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
                }
            }
        }
    }

    @Test
    void refusesASymbolicLinkAtTheSpoolPath() throws IOException {
        Path victim = Files.createDirectory(temp.resolve("victim"));
        Files.createSymbolicLink(spoolDir(), victim);
        IOException refused = assertThrows(IOException.class, () -> Spool.open(spoolDir(), MAX));
        assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        try (Stream<Path> files = Files.list(victim)) {
            assertEquals(0, files.count(), "nothing written through the link");
        }
    }

    @Test
    void refusesASymbolicLinkPlantedAtTheNextSegmentName() throws IOException {
        Path victim = temp.resolve("victim-file");
        Files.writeString(victim, "precious");
        try (Spool spool = Spool.open(spoolDir(), 64 * 1024)) {
            Files.createSymbolicLink(spoolDir().resolve("segment-00000000000000000001.spool"), victim);
            IOException refused = assertThrows(IOException.class, () -> {
                for (int c = 0; c < 100; c++) {
                    spool.append(cycle("c" + c, 10, c));
                }
            });
            assertTrue(refused.getMessage().contains("refusing"), refused.getMessage());
        }
        assertEquals("precious", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(spoolDir().resolve("segment-00000000000000000001.spool")), "the planted link is left alone");
    }

    @Test
    void refusesAPlantedSymbolicLinkForTheAcknowledgementFile() throws IOException {
        Files.createDirectory(spoolDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path victim = temp.resolve("victim-file");
        Files.writeString(victim, "precious");
        Files.createSymbolicLink(spoolDir().resolve("ack"), victim);
        IOException refused = assertThrows(IOException.class, () -> Spool.open(spoolDir(), MAX));
        assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        assertEquals("precious", Files.readString(victim));
    }

    @Test
    void refusesADirectoryOthersCanWrite() throws IOException {
        Files.createDirectory(spoolDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(spoolDir(), PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException refused = assertThrows(IOException.class, () -> Spool.open(spoolDir(), MAX));
        assertTrue(refused.getMessage().contains("writable by other users"), refused.getMessage());
    }

    @Test
    void aSecondOpenOfTheSameSpoolIsRefused() throws IOException {
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            IOException refused = assertThrows(IOException.class, () -> Spool.open(spoolDir(), MAX));
            assertTrue(refused.getMessage().contains("in use"), refused.getMessage());
            spool.append(cycle("still-usable", 1, 1));
            assertEquals(cycle("still-usable", 1, 1), readAll(spool));
        }
    }

    @Test
    void aTornAcknowledgementFallsBackToThePreviousOne() throws IOException {
        Spool.Position first;
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            appendAll(spool, cycle("a", 1, 1), cycle("b", 1, 2));
            first = acknowledgeNextRecord(spool);
            acknowledgeNextRecord(spool);
        }
        // the second acknowledgement went to slot 0 (sequence 2); tear it
        try (FileChannel ack = FileChannel.open(spoolDir().resolve("ack"), StandardOpenOption.WRITE)) {
            ack.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 20);
        }
        try (Spool spool = Spool.open(spoolDir(), MAX)) {
            assertEquals(first, spool.cursor(0).acknowledgedPosition());
            assertEquals(cycle("b", 1, 2), readAll(spool), "resent rather than lost");
        }
    }
}
