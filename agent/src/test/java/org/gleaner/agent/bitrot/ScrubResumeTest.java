package org.gleaner.agent.bitrot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 in the middle of a run over 20k files: the next run goes on, nothing baselined twice or lost. */
class ScrubResumeTest {
    private static final int FILES = 20_000;

    @TempDir
    Path temp;

    /** On a tmpfs as root (the test is about the database, and 20k reads of a loaded disk take long), else in /tmp. */
    @Test
    void aKilledRunIsResumedByTheNext() throws Exception {
        if (!Requirements.isRoot()) {
            check(Files.createDirectories(temp.resolve("tree")));
            return;
        }
        try (Tmpfs tmpfs = Tmpfs.mount("bitrot-resume", 160)) {
            check(tmpfs.path());
        }
    }

    private void check(Path root) throws Exception {
        for (int d = 0; d < 100; d++) {
            Path dir = Files.createDirectory(root.resolve("d" + d));
            for (int f = 0; f < FILES / 100; f++) {
                Files.writeString(dir.resolve("f" + f), "file " + d + "/" + f);
            }
        }
        Thread.sleep(200); // past the racy window of the files' times
        Path db = temp.resolve("bitrot.db");
        Process scrub = new ProcessBuilder(Requirements.repoRoot().resolve("bin/bitrot-scrub").toString(), "--db", db.toString(),
                "--no-progress", "--file-rate", "2000/s", root.toString())
                .redirectOutput(new File("/dev/null")).redirectError(new File("/dev/null")).start();
        long committed = 0;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (committed < 2_000 && System.nanoTime() < deadline && scrub.isAlive()) {
                Thread.sleep(200);
                committed = Files.exists(db) ? count(db, "digest IS NOT NULL") : 0;
            }
        } finally {
            scrub.destroyForcibly(); // SIGKILL
            scrub.waitFor(10, TimeUnit.SECONDS);
        }
        long kept = count(db, "digest IS NOT NULL");
        assertTrue(kept >= 2_000 && kept < FILES, "killed midway: " + kept + " files had been committed");

        Cmd.Result resumed = BitrotRun.scrub(db, "--json", "--older-than", "1d", root.toString());
        assertEquals(0, resumed.exit(), resumed.stderr());
        assertEquals(FILES - kept, field(resumed.stdout(), "baselined"), "only the files not yet committed are read");
        assertEquals(0, field(resumed.stdout(), "verified"));
        assertEquals(FILES, count(db, "digest IS NOT NULL"));
        assertEquals(FILES, count(db, "1"));
    }

    private static long count(Path db, String condition) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                ResultSet rows = connection.createStatement().executeQuery("SELECT count(*) FROM files WHERE " + condition)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertTrue(matcher.find(), name + " in " + json);
        return Long.parseLong(matcher.group(1));
    }
}
