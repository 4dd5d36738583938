package org.gleaner.collectors.bitrot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.RawNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on real files in a temporary directory: what counts as an edit, a move, a link, a vanished file. */
class ScrubberTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private Path tree() throws Exception {
        return Files.createDirectories(temp.resolve("tree"));
    }

    private Scrubber.Report scrub(Path root, ScrubCounts counts, long bytesPerSecond, Scrubber.Listener listener) throws Exception {
        Scrubber.Options options = new Scrubber.Options(List.of(root.toString().getBytes(StandardCharsets.UTF_8)), null, null, 0,
                Duration.ZERO, bytesPerSecond, 0, new PathFilter(List.of(), List.of()), false, false);
        return scrub(counts, options, listener);
    }

    private Scrubber.Report scrub(ScrubCounts counts, Scrubber.Options options, Scrubber.Listener listener) throws Exception {
        try (ScrubStore store = ScrubStore.openForWriting(temp.resolve("bitrot.db"))) {
            return new Scrubber(store, options, counts, listener, () -> false, Clock.systemUTC()).run();
        }
    }

    private ScrubCounts scrub(Path root) throws Exception {
        ScrubCounts counts = new ScrubCounts();
        Scrubber.Report report = scrub(root, counts, 0, new Scrubber.Listener() {});
        assertEquals(List.of(), report.findings(), "no finding");
        assertTrue(report.complete());
        return counts;
    }

    private static void settle() throws InterruptedException {
        Thread.sleep(Scrubber.RACY_MILLIS + 50); // past the racy window: a later change moves the file's times
    }

    @Test
    void aDatabaseInsideTheTreeIsNotScrubbedAsData() throws Exception {
        Path root = tree();
        Files.writeString(root.resolve("data"), "data");
        ScrubCounts counts = new ScrubCounts();
        Scrubber.Options options = new Scrubber.Options(List.of(root.toString().getBytes(StandardCharsets.UTF_8)), null, null, 0,
                Duration.ZERO, 0, 0, new PathFilter(List.of(), List.of()), false, false);
        for (int run = 0; run < 2; run++) {
            counts = new ScrubCounts();
            try (ScrubStore store = ScrubStore.openForWriting(root.resolve("bitrot.db"))) {
                Scrubber.Report report = new Scrubber(store, options, counts, new Scrubber.Listener() {}, () -> false,
                        Clock.systemUTC()).run();
                assertEquals(List.of(), report.findings());
            }
            settle();
        }
        assertEquals(1, counts.filesSeen.get(), "only the data file, not bitrot.db, its -wal, -shm or .lock");
        assertEquals(0, counts.filesEdited.get());
    }

    @Test
    void legitimateEditsGetNewBaselinesSilently() throws Exception {
        Path root = tree();
        for (String name : List.of("appended", "overwritten", "restored-mtime", "sed", "truncated")) {
            Files.writeString(root.resolve(name), "x".repeat(10_000));
        }
        settle();
        assertEquals(5, scrub(root).filesBaselined.get());
        settle();
        Files.writeString(root.resolve("appended"), "more", java.nio.file.StandardOpenOption.APPEND);
        try (RandomAccessFile file = new RandomAccessFile(root.resolve("overwritten").toFile(), "rw")) {
            file.seek(500);
            file.write('y');
        }
        Path restored = root.resolve("restored-mtime");
        FileTime mtime = Files.getLastModifiedTime(restored);
        try (RandomAccessFile file = new RandomAccessFile(restored.toFile(), "rw")) {
            file.write('z');
        }
        Files.setLastModifiedTime(restored, mtime); // as touch -d does: only the ctime shows the edit
        Cmd.run(LIMIT, "sed", "-i", "s/x/w/", root.resolve("sed").toString()).ok();
        try (RandomAccessFile file = new RandomAccessFile(root.resolve("truncated").toFile(), "rw")) {
            file.setLength(10);
        }
        ScrubCounts counts = scrub(root);
        assertEquals(5, counts.filesEdited.get());
        assertEquals(0, counts.corruptionsFound.get());
        ScrubCounts again = scrub(root);
        assertEquals(5, again.filesVerified.get(), "the edits are the new baselines");
    }

    @Test
    void aFileWrittenWhileItIsReadIsSkippedNotJudged() throws Exception {
        Path root = tree();
        Path big = root.resolve("big");
        byte[] content = new byte[24 << 20];
        new Random(1).nextBytes(content);
        Files.write(big, content);
        settle();
        scrub(root);
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(300);
                try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
                    file.seek(20 << 20);
                    file.write(1);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ScrubCounts counts = new ScrubCounts();
        // 8 MiB/s: the 24 MiB take 2 s after a one-second burst; the write comes 0.3 s into the read
        Scrubber.Report report = scrub(root, counts, 8 << 20, new Scrubber.Listener() {
            @Override
            public void planned(long files, long bytes) {
                writer.start();
            }
        });
        writer.join();
        assertEquals(List.of(), report.findings());
        assertEquals(1, counts.skippedChanging.get());
        assertEquals(0, counts.filesVerified.get() + counts.filesEdited.get());
        assertEquals(1, scrub(root).filesEdited.get(), "retried on the next run");
    }

    @Test
    void renamesAndMovesKeepTheirBaselines() throws Exception {
        Path root = tree();
        Files.writeString(root.resolve("a"), "alpha");
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(root.resolve("dir/b"), "beta");
        Files.writeString(root.resolve("c"), "gamma");
        settle();
        assertEquals(3, scrub(root).filesBaselined.get());
        long baselinedAt = baselinedAt("a");
        Files.move(root.resolve("a"), root.resolve("a2"));
        Files.move(root.resolve("dir"), root.resolve("dir2"));
        Files.copy(root.resolve("c"), root.resolve("c2"));
        Files.delete(root.resolve("c"));
        ScrubCounts counts = scrub(root);
        assertEquals(3, counts.moved.get());
        assertEquals(1, counts.filesBaselined.get(), "only the copy was read as new; the renames were not");
        assertEquals(0, counts.removed.get());
        assertEquals(baselinedAt, baselinedAt("a2"));
        ScrubCounts again = scrub(root);
        assertEquals(3, again.filesVerified.get());
    }

    @Test
    void eachRunVerifiesTheOldestChecksWithinItsLimits() throws Exception {
        Path root = tree();
        for (int i = 0; i < 10; i++) {
            Files.writeString(root.resolve("f" + i), "0123456789".repeat(100));
        }
        settle();
        scrub(root);
        List<Long> verified = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            Thread.sleep(5); // distinct check times
            ScrubCounts counts = new ScrubCounts();
            scrub(counts, options(root, 30, Duration.ZERO), new Scrubber.Listener() {});
            verified.add(counts.filesVerified.get());
        }
        assertEquals(List.of(3L, 3L, 3L), verified, "30% of the bytes per run");
        ScrubCounts rest = new ScrubCounts();
        scrub(rest, options(root, 0, Duration.ZERO), new Scrubber.Listener() {});
        assertEquals(10, rest.filesVerified.get());
        ScrubCounts recent = new ScrubCounts();
        scrub(recent, options(root, 0, Duration.ofDays(1)), new Scrubber.Listener() {});
        assertEquals(0, recent.filesVerified.get(), "nothing was checked longer than a day ago");
    }

    @Test
    void theOldestChecksComeFirst() throws Exception {
        Path root = tree();
        for (int i = 0; i < 4; i++) {
            Files.writeString(root.resolve("f" + i), "same size");
        }
        settle();
        scrub(root);
        Thread.sleep(5);
        ScrubCounts half = new ScrubCounts();
        scrub(half, options(root, 50, Duration.ZERO), new Scrubber.Listener() {});
        assertEquals(2, half.filesVerified.get());
        long checkedBefore = System.currentTimeMillis();
        Thread.sleep(5);
        ScrubCounts other = new ScrubCounts();
        scrub(other, options(root, 50, Duration.ZERO), new Scrubber.Listener() {});
        assertEquals(2, other.filesVerified.get());
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + temp.resolve("bitrot.db"));
                ResultSet rows = db.createStatement().executeQuery("SELECT count(*) FROM files WHERE verified_at IS NULL")) {
            rows.next();
            assertEquals(0, rows.getLong(1), "the second run took the two the first left (checked before " + checkedBefore + ")");
        }
    }

    private static Scrubber.Options options(Path root, int percent, Duration olderThan) {
        return new Scrubber.Options(List.of(root.toString().getBytes(StandardCharsets.UTF_8)), null, null, percent, olderThan,
                0, 0, new PathFilter(List.of(), List.of()), false, false);
    }

    @Test
    void hardLinksAreDigestedOnce() throws Exception {
        Path root = tree();
        Files.writeString(root.resolve("x"), "shared");
        Files.createLink(root.resolve("y"), root.resolve("x"));
        settle();
        ScrubCounts counts = scrub(root);
        assertEquals(2, counts.filesSeen.get());
        assertEquals(1, counts.filesBaselined.get());
        Files.delete(root.resolve("x"));
        ScrubCounts after = scrub(root);
        assertEquals(1, after.moved.get(), "the remaining link keeps the baseline");
        assertEquals(0, after.filesBaselined.get());
    }

    @Test
    void aFileThatVanishesBeforeItIsReadIsNoError() throws Exception {
        Path root = tree();
        Path doomed = Files.writeString(root.resolve("doomed"), "soon gone");
        ScrubCounts counts = new ScrubCounts();
        Scrubber.Report report = scrub(root, counts, 0, new Scrubber.Listener() {
            @Override
            public void planned(long files, long bytes) {
                try {
                    Files.delete(doomed);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        assertEquals(1, counts.vanishedWhileRead.get());
        assertEquals(0, counts.readErrors.get());
        assertTrue(report.unreadable().isEmpty());
        assertEquals(1, scrub(root).removed.get());
    }

    @Test
    void rawNamesRoundTripThroughTheDatabase() throws Exception {
        Path root = tree();
        byte[] hostile = "new\nline \u00ff\u00fe".getBytes(StandardCharsets.ISO_8859_1);
        RawNames.rename(Files.writeString(root.resolve("plain"), "content"), RawNames.child(root, hostile));
        settle();
        assertEquals(1, scrub(root).filesBaselined.get());
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + temp.resolve("bitrot.db"));
                ResultSet rows = db.createStatement().executeQuery("SELECT name FROM files")) {
            assertTrue(rows.next());
            assertArrayEquals(hostile, rows.getBytes(1));
        }
        assertEquals(1, scrub(root).filesVerified.get(), "found again under the same raw name");
    }

    @Test
    void excludedDirectoriesAreNotEntered() throws Exception {
        Path root = tree();
        Files.createDirectories(root.resolve("cache/deep"));
        Files.writeString(root.resolve("cache/deep/f"), "skip");
        Files.writeString(root.resolve("keep.txt"), "keep");
        Files.writeString(root.resolve("skip.tmp"), "skip");
        Scrubber.Options options = new Scrubber.Options(List.of(root.toString().getBytes(StandardCharsets.UTF_8)), null, null, 0,
                Duration.ZERO, 0, 0, new PathFilter(List.of(), List.of("cache", "*.tmp")), false, false);
        ScrubCounts counts = new ScrubCounts();
        scrub(counts, options, new Scrubber.Listener() {});
        assertEquals(1, counts.filesSeen.get());
    }

    private long baselinedAt(String name) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + temp.resolve("bitrot.db"));
                var select = db.prepareStatement("SELECT baselined_at FROM files WHERE name = ?")) {
            select.setBytes(1, name.getBytes(StandardCharsets.UTF_8));
            try (ResultSet rows = select.executeQuery()) {
                assertTrue(rows.next(), name + " is in the database");
                return rows.getLong(1);
            }
        }
    }
}
