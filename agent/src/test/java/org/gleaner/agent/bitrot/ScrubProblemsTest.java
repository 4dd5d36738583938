package org.gleaner.agent.bitrot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.gleaner.collectors.text.ByteText;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Launcher;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.RawNames;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.TempTrees;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one clear line and the documented exit status; a database not ours is never changed. */
class ScrubProblemsTest {
    @TempDir
    Path temp;

    private Path tree() throws Exception {
        Path root = Files.createDirectories(temp.resolve("tree"));
        for (int i = 0; i < 300; i++) {
            Files.writeString(root.resolve("file-" + i), "content " + i);
        }
        return root;
    }

    private static void assertOneLine(Cmd.Result result, int exit, String expected) {
        assertEquals(exit, result.exit(), result.stdout() + result.stderr());
        assertEquals(1, result.stderr().lines().count(), result.stderr());
        assertTrue(result.stderr().contains(expected), result.stderr());
    }

    @Test
    void aFileThatIsNotADatabaseIsLeftAlone() throws Exception {
        Path root = tree();
        Path db = Files.writeString(temp.resolve("notes.txt"), "precious notes\n".repeat(500));
        assertRefusedUntouched(db, root, "not a bitrot-scrub database");
    }

    /** A run on {@code db} exits 3 with one line holding {@code expected}, and leaves the file as it was. */
    private static void assertRefusedUntouched(Path db, Path root, String expected) throws Exception {
        byte[] before = Files.readAllBytes(db);
        assertOneLine(BitrotRun.scrub(db, root.toString()), 3, expected);
        assertOneLine(BitrotRun.sub("status", db), 3, expected);
        assertArrayEquals(before, Files.readAllBytes(db));
    }

    @Test
    void anotherProgramsDatabaseIsLeftAlone() throws Exception {
        Path root = tree();
        Path db = temp.resolve("other.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            connection.createStatement().execute("CREATE TABLE accounts(name TEXT, balance INTEGER)");
        }
        assertRefusedUntouched(db, root, "not a bitrot-scrub database");
    }

    @Test
    void aDamagedDatabaseIsReportedNotRebuilt() throws Exception {
        Path root = tree();
        Path db = temp.resolve("bitrot.db");
        BitrotRun.scrub(db, root.toString()).ok();
        byte[] garbage = new byte[(int) Files.size(db) - 8192];
        new Random(7).nextBytes(garbage);
        try (RandomAccessFile file = new RandomAccessFile(db.toFile(), "rw")) {
            file.seek(8192); // the header and the schema page stay; the tables' pages are garbage
            file.write(garbage);
        }
        assertRefusedUntouched(db, root, "damaged");
    }

    @Test
    void aDatabaseInUseIsRefused() throws Exception {
        Path root = tree();
        Path db = temp.resolve("bitrot.db");
        try (FileChannel channel = FileChannel.open(temp.resolve("bitrot.db.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = channel.lock()) {
            assertOneLine(BitrotRun.scrub(db, root.toString()), 3, "in use by another bitrot-scrub or the agent's scrubber");
        }
    }

    @Test
    @Privileged("mounting a read-only tmpfs needs root")
    void aDatabaseOnAReadOnlyFilesystemIsReported() throws Exception {
        Path root = tree();
        try (Tmpfs tmpfs = Tmpfs.mount("bitrot-ro")) {
            Path db = tmpfs.path().resolve("bitrot.db");
            BitrotRun.scrub(db, root.toString()).ok();
            Cmd.run(Duration.ofSeconds(10), "mount", "-o", "remount,ro", tmpfs.path().toString()).ok();
            assertOneLine(BitrotRun.scrub(db, root.toString()), 3, "Read-only file system");
            Cmd.Result status = BitrotRun.sub("status", db);
            assertEquals(0, status.exit(), status.stderr());
            assertTrue(status.stdout().contains("files with a baseline: 300"), status.stdout());
        }
    }

    @Test
    void badArgumentsAreUsageErrors() throws Exception {
        Path root = tree();
        Path db = temp.resolve("bitrot.db");
        assertOneLine(BitrotRun.scrub(db, "--rate", "fast", root.toString()), 2, "--rate: not a byte size: 'fast'");
        assertOneLine(BitrotRun.scrub(db, temp.resolve("missing").toString()), 2, "no such directory");
        assertOneLine(BitrotRun.scrub(db, "--percent", "0", root.toString()), 2, "--percent must be from 1 to 100");
        assertOneLine(BitrotRun.scrub(db), 2, "a PATH to scrub is required");
        BitrotRun.scrub(db, root.toString()).ok();
        assertOneLine(BitrotRun.scrub(db, "--hash", "sha256", root.toString()), 2, "holds xxh3-128 digests");
        assertOneLine(BitrotRun.sub("accept", db, root.resolve("file-1").toString()), 2, "has no open finding");
        assertOneLine(BitrotRun.sub("accept", db, "bad\\escape"), 2, "a backslash must be followed");
    }

    @Test
    void sha256DatabasesWorkTheSameWay() throws Exception {
        Path root = tree();
        Path db = temp.resolve("sha.db");
        Thread.sleep(200);
        Cmd.Result first = BitrotRun.scrub(db, "--hash", "sha256", "--json", root.toString());
        assertEquals(0, first.exit(), first.stderr());
        assertTrue(first.stdout().contains("\"hash\":\"sha256\""));
        Cmd.Result second = BitrotRun.scrub(db, "--json", root.toString());
        assertTrue(second.stdout().contains("\"verified\":300,"), second.stdout());
    }

    /** As a user who may not read one file (a hostile name), so that root's bypass of permissions does not apply. */
    @Test
    void unreadableFilesAreListedAndExitFour() throws Exception {
        Path shared = Files.createTempDirectory("gleaner-bitrot-unreadable-");
        try {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path root = Files.createDirectory(shared.resolve("tree"));
            Files.writeString(root.resolve("readable"), "fine");
            Path secret = Files.writeString(root.resolve("secret"), "no");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
            byte[] hostile = RawNames.child(root, "se\ncret\u00ff".getBytes(StandardCharsets.ISO_8859_1));
            RawNames.rename(secret, hostile);
            List<String> wrapper = new ArrayList<>();
            if (Requirements.isRoot()) {
                Requirements.requireTool("setpriv");
                wrapper.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
            }
            Cmd.Result result = Launcher.runAs(wrapper, "bitrot-scrub", BitrotRun.LIMIT, List.of("--db",
                    shared.resolve("bitrot.db").toString(), "--no-progress", root.toString()));
            assertEquals(4, result.exit(), result.stderr());
            assertTrue(result.stderr().contains("bitrot-scrub: cannot read " + ByteText.human(hostile) + ": Permission denied\n"),
                    result.stderr());
            Cmd.Result json = Launcher.runAs(wrapper, "bitrot-scrub", BitrotRun.LIMIT, List.of("--db",
                    shared.resolve("bitrot.db").toString(), "--json", root.toString()));
            assertEquals(4, json.exit());
            assertTrue(json.stdout().contains("\"path_base64\":\"" + Base64.getEncoder().encodeToString(hostile)
                    + "\",\"error\":\"Permission denied\""), json.stdout());
        } finally {
            TempTrees.delete(shared);
        }
    }
}
