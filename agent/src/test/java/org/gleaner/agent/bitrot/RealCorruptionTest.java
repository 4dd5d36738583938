package org.gleaner.agent.bitrot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.collectors.text.ByteText;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Ext4Image;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.RawNames;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real bitrot: a byte flipped beneath ext4 in its loop-mounted image, so that size, mtime, ctime
 * and inode stay as they were while the content differs.
 */
@Privileged("loop-mounting an ext4 image needs root")
class RealCorruptionTest {
    /** A name no Path can hold: a newline and a byte that is not UTF-8. */
    private static final byte[] HOSTILE = "bad\u00ff\nname".getBytes(StandardCharsets.ISO_8859_1);
    private static final int MIB = 1 << 20;

    @TempDir
    Path temp;

    @Test
    void aFlippedByteIsReportedWithItsRangeOnEveryRunUntilAccepted() throws Exception {
        Path db = temp.resolve("bitrot.db");
        try (Ext4Image fs = Ext4Image.create("bitrot", 64)) {
            Path data = Files.createDirectory(fs.mountPoint().resolve("data"));
            Files.write(data.resolve("intact"), random(3 * MIB, 1));
            Path victim = Files.write(data.resolve("victim"), random(2 * MIB + 5000, 2));
            long flipAt = fs.imageOffset(victim, MIB + 123_456);
            byte[] hostile = RawNames.child(data, HOSTILE);
            RawNames.rename(victim, hostile);
            assertEquals(0, BitrotRun.scrub(db, data.toString()).ok().exit());
            String before = RawNames.stat(hostile);

            fs.unmount();
            fs.flipByte(flipAt);
            fs.mount();
            assertEquals(before, RawNames.stat(hostile), "size, mtime, ctime and inode are unchanged");

            String expected = "CORRUPT " + ByteText.human(hostile) + ": bytes 1048576-2097151 differ; size/mtime/ctime"
                    + " unchanged; last good " + LocalDate.now(ZoneOffset.UTC) + "\n";
            for (int run = 0; run < 2; run++) {
                Cmd.Result found = BitrotRun.scrub(db, data.toString());
                assertEquals(1, found.exit(), found.stderr());
                assertEquals(expected, found.stdout(), "the good baseline is kept: reported again on run " + run);
                assertTrue(found.stdout().contains("bad\\xff\\x0aname"), found.stdout());
            }
            Cmd.Result json = BitrotRun.scrub(db, "--json", data.toString());
            assertEquals(1, json.exit());
            assertTrue(json.stdout().contains("\"path_base64\":\"" + Base64.getEncoder().encodeToString(hostile) + "\""), json.stdout());
            assertTrue(json.stdout().contains("\"ranges\":[[1048576,2097151]],\"metadata_unchanged\":true"), json.stdout());

            Cmd.Result status = BitrotRun.sub("status", db, data.toString());
            assertEquals(1, status.exit());
            assertTrue(status.stdout().contains(expected), status.stdout());

            Cmd.Result accepted = BitrotRun.sub("accept", db, ByteText.human(hostile));
            assertEquals(0, accepted.exit(), accepted.stderr());
            Cmd.Result clean = BitrotRun.scrub(db, data.toString());
            assertEquals(0, clean.exit(), clean.stdout() + clean.stderr());
            assertEquals("", clean.stdout());
        }
    }

    @Test
    void corruptionBeneathCachedPagesIsFoundOnTheMedium() throws Exception {
        Path db = temp.resolve("bitrot.db");
        try (Ext4Image fs = Ext4Image.create("bitrot-cached", 64)) {
            Path data = Files.createDirectory(fs.mountPoint().resolve("data"));
            byte[] content = random(2 * MIB, 3);
            Path file = Files.write(data.resolve("cached"), content);
            assertEquals(0, BitrotRun.scrub(db, data.toString()).ok().exit());
            long flipAt = fs.imageOffset(file, 200_000);
            assertArrayEquals(content, Files.readAllBytes(file)); // its pages are now in the page cache

            fs.flipByte(flipAt); // beneath the mounted filesystem
            assertArrayEquals(content, Files.readAllBytes(file), "the page cache still holds the good content");

            Cmd.Result found = BitrotRun.scrub(db, data.toString());
            assertEquals(1, found.exit(), found.stdout() + found.stderr());
            assertTrue(found.stdout().startsWith("CORRUPT " + file + ": bytes 0-1048575 differ; size/mtime/ctime unchanged"),
                    found.stdout());
        }
    }

    @Test
    void theAgentsScrubberCountsTheCorruptFile() throws Exception {
        Path db = temp.resolve("bitrot.db");
        try (Ext4Image fs = Ext4Image.create("bitrot-agent", 64)) {
            Path data = Files.createDirectory(fs.mountPoint().resolve("data"));
            Files.write(data.resolve("intact"), random(3 * MIB, 4));
            Path victim = Files.write(data.resolve("victim"), random(MIB, 5));
            long flipAt = fs.imageOffset(victim, 4242);
            assertEquals(0, BitrotRun.scrub(db, data.toString()).ok().exit());
            fs.unmount();
            fs.flipByte(flipAt);
            fs.mount();
            Path config = Files.writeString(temp.resolve("gleaner.yaml"), "counters: raw\ncollectors:\n  scrubber:\n"
                    + "    paths: [\"" + data + "\"]\n    db: \"" + db + "\"\n    rate: 100MiB/s\n    older_than: 0s\n");
            Cmd.Result agent = Cmd.run(Duration.ofSeconds(90), Requirements.repoRoot().resolve("bin/gleaner").toString(), "agent",
                    "--config", config.toString(), "--stdout", "--collectors", "scrubber", "--cycles", "4", "-i", "2s").ok();
            Map<String, String> last = new HashMap<>();
            Matcher line = Pattern.compile("(?m)^\\S+?\\.scrubber\\.(\\S+) (\\S+) \\d+$").matcher(agent.stdout());
            while (line.find()) {
                last.put(line.group(1), line.group(2));
            }
            assertEquals("1", last.get("corruptions_found"), agent.stdout());
            assertEquals("1", last.get("open_findings"), agent.stdout());
            assertEquals("1", last.get("files_verified"), agent.stdout());
            assertEquals(String.valueOf(3 * MIB), last.get("bytes_verified"), agent.stdout());
            assertEquals("2", last.get("baseline_files"), agent.stdout());
            assertTrue(agent.stderr().contains("CORRUPT " + victim + ": bytes 0-1048575 differ"), agent.stderr());
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
