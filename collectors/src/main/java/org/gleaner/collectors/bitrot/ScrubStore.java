package org.gleaner.collectors.bitrot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.gleaner.collectors.text.BytePath;

/**
 * The scrubber's state in SQLite (WAL, synchronous=NORMAL): per directory its raw path, per file
 * its raw name, the metadata snapshot its digests were taken with, the digests, and when it was
 * baselined, checked and found corrupt. A file's digests and snapshot are written by one
 * statement, so they always go together; the work is committed every {@link #COMMIT_MILLIS} ms,
 * so a killed run loses at most that. One writer at a time: a lock file next to the database.
 */
public final class ScrubStore implements AutoCloseable {
    /** "glbr": tells our databases from any other SQLite file. */
    static final int APPLICATION_ID = 0x676c6272;
    static final int SCHEMA_VERSION = 1;
    static final long COMMIT_MILLIS = 2_000;

    private static final String[] SCHEMA = {
        "CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE dirs(id INTEGER PRIMARY KEY, path BLOB NOT NULL UNIQUE, scanned_run INTEGER NOT NULL)",
        "CREATE TABLE files(dir INTEGER NOT NULL, name BLOB NOT NULL,"
            + " device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL,"
            + " mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,"
            + " digest BLOB, blocks BLOB,"
            + " changed INTEGER NOT NULL DEFAULT 0, link INTEGER NOT NULL DEFAULT 0, vanished INTEGER NOT NULL DEFAULT 0,"
            + " baselined_at INTEGER, checked_at INTEGER, verified_at INTEGER, attempted_run INTEGER NOT NULL DEFAULT 0,"
            + " corrupt_since INTEGER, bad_ranges TEXT,"
            + " PRIMARY KEY (dir, name)) WITHOUT ROWID",
        "CREATE INDEX files_due ON files(checked_at) WHERE digest IS NOT NULL AND changed = 0 AND link = 0 AND vanished = 0",
        "CREATE INDEX files_pending ON files(dir, name) WHERE digest IS NULL OR changed = 1 OR corrupt_since IS NOT NULL",
        "CREATE INDEX files_inode ON files(device, inode)",
        "CREATE INDEX files_vanished ON files(size) WHERE vanished = 1",
        "CREATE INDEX files_corrupt ON files(dir) WHERE corrupt_since IS NOT NULL",
        "CREATE TABLE runs(id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER)",
    };
    private static final String WORK_COLUMNS = "f.dir, f.name, d.path, f.device, f.inode, f.size, f.mtime_ns, f.ctime_ns,"
            + " f.digest, f.blocks, f.changed, f.checked_at, f.corrupt_since";

    private final Path file;
    private final Connection db;
    private final FileChannel lockChannel;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private long lastCommit = System.currentTimeMillis();

    /** A file's row as the scan compares it with what it finds. */
    record Stored(FileStat snapshot, boolean baselined, boolean changed, boolean link, boolean vanished) {}

    /** A file to digest: where it is and what is known of it. */
    record Work(long dir, byte[] name, byte[] path, FileStat snapshot, byte[] digest, byte[] blocks, boolean changed,
            Long checkedAt, Long corruptSince) {}

    /**
     * Coverage of the files with a baseline (status, and the collector's gauges): {@code checkedWithin}
     * counts those whose content was baselined or verified since the given time.
     */
    public record Coverage(long files, long bytes, long checkedWithin, long neverVerified, long unbaselined,
            Long oldestCheck, long openFindings) {}

    private ScrubStore(Path file, Connection db, FileChannel lockChannel) {
        this.file = file;
        this.db = db;
        this.lockChannel = lockChannel;
    }

    /**
     * Opens the database for a run, creating it (and its directory) if missing, and takes the
     * writer's lock.
     */
    public static ScrubStore openForWriting(Path file) throws StoreException {
        FileChannel lock = lock(file);
        try {
            boolean existed = Files.exists(file);
            if (!existed) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            }
            ScrubStore store = new ScrubStore(file, connect(file, false), lock);
            store.prepare(false);
            return store;
        } catch (IOException e) {
            closeQuietly(lock);
            throw new StoreException(file + ": cannot create: " + reason(e));
        } catch (StoreException e) {
            closeQuietly(lock);
            throw e;
        }
    }

    /** Opens an existing database to read it; no lock is needed (a writer's WAL keeps readers consistent). */
    public static ScrubStore openForReading(Path file) throws StoreException {
        if (!Files.exists(file)) {
            throw new StoreException(file + ": no such database (no scrub has run with it yet)");
        }
        ScrubStore store = new ScrubStore(file, connect(file, true), null);
        store.prepare(true);
        return store;
    }

    private static FileChannel lock(Path file) throws StoreException {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel channel;
        try {
            Path parent = lockFile.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent);
            }
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException(file + ": cannot open its lock file " + lockFile + ": " + reason(e));
        }
        try {
            FileLock taken = channel.tryLock();
            if (taken == null) {
                closeQuietly(channel);
                throw new StoreException(file + ": in use by another bitrot-scrub or the agent's scrubber (locked "
                        + lockFile + ")");
            }
            return channel;
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new StoreException(file + ": cannot lock " + lockFile + ": " + e.getMessage());
        }
    }

    private static Connection connect(Path file, boolean readOnly) throws StoreException {
        Properties properties = new Properties();
        // SQLITE_OPEN_READWRITE (2) or READONLY (1); CREATE (4) only when we made the decision to create
        properties.setProperty("open_mode", Integer.toString(readOnly ? 1 : Files.exists(file) ? 2 : 6));
        properties.setProperty("busy_timeout", "10000");
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        if (readOnly && onReadOnlyFilesystem(file)) {
            // a WAL database needs its -shm file writable even to be read, unless it is opened immutable,
            // which is exact here: nothing can write to a read-only filesystem (sqlite.org/wal.html#readonly)
            properties.setProperty("open_uri", "true");
            url = "jdbc:sqlite:file:" + file.toAbsolutePath() + "?immutable=1";
        }
        try {
            return DriverManager.getConnection(url, properties);
        } catch (SQLException e) {
            throw new StoreException(file + ": cannot open: " + sqliteMessage(e), e);
        }
    }

    private static boolean onReadOnlyFilesystem(Path file) {
        try {
            return Files.getFileStore(file).isReadOnly();
        } catch (IOException e) {
            return false;
        }
    }

    private void prepare(boolean readOnly) throws StoreException {
        try (Statement statement = db.createStatement()) {
            int applicationId = intPragma(statement, "application_id");
            int version = intPragma(statement, "user_version");
            boolean empty = applicationId == 0 && version == 0 && !hasTables(statement);
            if (!empty && applicationId != APPLICATION_ID) {
                throw new StoreException(file + ": not a bitrot-scrub database (another program's SQLite file); nothing was changed");
            }
            if (version > SCHEMA_VERSION) {
                throw new StoreException(file + ": made by a newer gleaner (schema " + version + ", this one knows "
                        + SCHEMA_VERSION + "); nothing was changed");
            }
            if (readOnly) {
                if (empty) {
                    throw new StoreException(file + ": an empty database (no scrub has completed with it yet)");
                }
                return;
            }
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("PRAGMA synchronous=NORMAL");
            db.setAutoCommit(false);
            if (empty) {
                for (String sql : SCHEMA) {
                    statement.execute(sql);
                }
                statement.execute("PRAGMA application_id=" + APPLICATION_ID);
                statement.execute("PRAGMA user_version=" + SCHEMA_VERSION);
                db.commit();
            }
        } catch (SQLException e) {
            closeQuietly();
            throw failure(e);
        } catch (StoreException e) {
            closeQuietly();
            throw e;
        }
    }

    private static boolean hasTables(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM sqlite_master")) {
            return rows.next() && rows.getLong(1) > 0;
        }
    }

    private static int intPragma(Statement statement, String name) throws SQLException {
        try (ResultSet rows = statement.executeQuery("PRAGMA " + name)) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }

    public Path file() {
        return file;
    }

    /**
     * The names of the files kept beside the database: its lock, and SQLite's write-ahead log, its
     * shared-memory index and a rollback journal (sqlite.org/tempfiles.html). A tree that holds the
     * database holds them too, and they are the scrubber's, not data to judge.
     */
    public List<byte[]> companionNames() {
        byte[] name = BytePath.ofKernel(file.toAbsolutePath()).bytes();
        int slash = name.length - 1;
        while (slash >= 0 && name[slash] != '/') {
            slash--;
        }
        List<byte[]> companions = new ArrayList<>();
        for (String suffix : List.of(".lock", "-wal", "-shm", "-journal")) {
            byte[] companion = Arrays.copyOfRange(name, slash + 1, name.length + suffix.length());
            System.arraycopy(suffix.getBytes(StandardCharsets.US_ASCII), 0, companion, name.length - slash - 1, suffix.length());
            companions.add(companion);
        }
        return companions;
    }

    /** The digest recorded at creation, or null for a database that has none yet. */
    public DigestAlgorithm algorithm() throws StoreException {
        String label = setting("hash");
        return label == null ? null : DigestAlgorithm.of(label);
    }

    void recordAlgorithm(DigestAlgorithm algorithm) throws StoreException {
        update("INSERT INTO settings(key, value) VALUES ('hash', ?), ('block_size', ?)", algorithm.label(),
                Integer.toString(ContentReader.BLOCK_SIZE));
        commit();
    }

    private String setting(String key) throws StoreException {
        try {
            PreparedStatement select = statement("SELECT value FROM settings WHERE key = ?");
            select.setString(1, key);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    long beginRun(long now) throws StoreException {
        long run = single("INSERT INTO runs(started_at) VALUES (?) RETURNING id", now);
        commit();
        return run;
    }

    void finishRun(long run, long now) throws StoreException {
        update("UPDATE runs SET finished_at = ? WHERE id = ?", now, run);
        commit();
    }

    /** The directory's id, recording that this run listed it. */
    long directory(byte[] path, long run) throws StoreException {
        return single("INSERT INTO dirs(path, scanned_run) VALUES (?, ?)"
                + " ON CONFLICT(path) DO UPDATE SET scanned_run = excluded.scanned_run RETURNING id", path, run);
    }

    /** The files recorded in a directory, by name (wrapped for byte-wise equality). */
    Map<NameKey, Stored> filesIn(long dir) throws StoreException {
        Map<NameKey, Stored> files = new HashMap<>();
        try {
            PreparedStatement select = statement("SELECT name, device, inode, size, mtime_ns, ctime_ns,"
                    + " digest IS NOT NULL, changed, link, vanished FROM files WHERE dir = ?");
            select.setLong(1, dir);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    FileStat snapshot = new FileStat(rows.getLong(2), rows.getLong(3), 0, 0, rows.getLong(4),
                            rows.getLong(5), rows.getLong(6));
                    files.put(new NameKey(rows.getBytes(1)), new Stored(snapshot, rows.getBoolean(7), rows.getBoolean(8),
                            rows.getBoolean(9), rows.getBoolean(10)));
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return files;
    }

    void insertFile(long dir, byte[] name, FileStat stat, boolean link) throws StoreException {
        update("INSERT INTO files(dir, name, device, inode, size, mtime_ns, ctime_ns, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                dir, name, stat.device(), stat.inode(), stat.size(), stat.mtimeNanos(), stat.ctimeNanos(), link ? 1 : 0);
    }

    /**
     * Records what the scan found of a known file: whether its metadata moved since its digests
     * (then it is digested again, and any difference is a legitimate edit), whether another path
     * of the same inode is the one digested, and that it is present. An unbaselined file's
     * snapshot simply follows the file.
     */
    void updateScanned(long dir, byte[] name, FileStat stat, Stored stored, boolean link) throws StoreException {
        if (!stored.baselined()) {
            update("UPDATE files SET device = ?, inode = ?, size = ?, mtime_ns = ?, ctime_ns = ?, link = ?, vanished = 0"
                    + " WHERE dir = ? AND name = ?", stat.device(), stat.inode(), stat.size(), stat.mtimeNanos(),
                    stat.ctimeNanos(), link ? 1 : 0, dir, name);
        } else {
            boolean changed = stored.changed() || !stored.snapshot().sameSnapshot(stat);
            update("UPDATE files SET changed = ?, link = ?, vanished = 0 WHERE dir = ? AND name = ?",
                    changed ? 1 : 0, link ? 1 : 0, dir, name);
        }
    }

    void markVanished(long dir, byte[] name) throws StoreException {
        update("UPDATE files SET vanished = 1 WHERE dir = ? AND name = ?", dir, name);
    }

    /** SQL condition (on column {@code column}) and its arguments: paths at or below any of the roots. */
    private static String underRoots(String column, List<byte[]> roots, List<Object> arguments) {
        StringBuilder condition = new StringBuilder("(");
        for (byte[] root : roots) {
            if (condition.length() > 1) {
                condition.append(" OR ");
            }
            // BLOBs compare with memcmp: everything below ROOT/ sorts from "ROOT/" up to "ROOT0" ('0' follows '/')
            byte[] prefix = root.length == 1 && root[0] == '/' ? new byte[0] : root;
            byte[] low = Arrays.copyOf(prefix, prefix.length + 1);
            low[prefix.length] = '/';
            byte[] high = Arrays.copyOf(prefix, prefix.length + 1);
            high[prefix.length] = '0';
            condition.append(column).append(" = ? OR (").append(column).append(" >= ? AND ").append(column).append(" < ?)");
            arguments.add(root);
            arguments.add(low);
            arguments.add(high);
        }
        return condition.append(')').toString();
    }

    /** Every file in a directory below the roots that this run did not list has vanished. */
    void markUnlistedVanished(List<byte[]> roots, long run) throws StoreException {
        List<Object> arguments = new ArrayList<>();
        String scope = underRoots("path", roots, arguments);
        arguments.add(run);
        update("UPDATE files SET vanished = 1 WHERE vanished = 0 AND dir IN (SELECT id FROM dirs WHERE " + scope
                + " AND scanned_run < ?)", arguments.toArray());
    }

    /** A directory that could not be listed keeps its files (and its subdirectories') as they were. */
    void keepUnlisted(byte[] path, long run) throws StoreException {
        List<Object> arguments = new ArrayList<>();
        arguments.add(run);
        String scope = underRoots("path", List.of(path), arguments);
        update("UPDATE dirs SET scanned_run = ? WHERE " + scope, arguments.toArray());
    }

    /**
     * Moves and renames found by inode: a file that vanished from one path while an unbaselined
     * path with the same device, inode, size and mtime appeared keeps its digests, history and
     * findings at the new path (a rename moves only the ctime). Returns how many moved.
     */
    int carryMovedByInode(long run) throws StoreException {
        String sql = "SELECT v.dir, v.name, n.dir, n.name FROM files v JOIN files n"
                + " ON n.device = v.device AND n.inode = v.inode AND n.size = v.size AND n.mtime_ns = v.mtime_ns"
                + " JOIN dirs d ON d.id = n.dir"
                + " WHERE v.vanished = 1 AND v.digest IS NOT NULL AND v.changed = 0"
                + " AND n.vanished = 0 AND n.digest IS NULL AND n.link = 0 AND d.scanned_run = ?";
        List<Object[]> moves = new ArrayList<>();
        try {
            PreparedStatement select = statement(sql);
            select.setLong(1, run);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    moves.add(new Object[] {rows.getLong(1), rows.getBytes(2), rows.getLong(3), rows.getBytes(4)});
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        int moved = 0;
        for (Object[] move : moves) {
            moved += carry(move[0], move[1], move[2], move[3], true);
            maybeCommit();
        }
        return moved;
    }

    /**
     * A just-baselined file whose size and digest are those of a file that vanished in this run
     * (copied then deleted, or replaced by an identical file): it takes over that file's history.
     */
    boolean carryMovedByContent(long dir, byte[] name, long size, byte[] digest) throws StoreException {
        try {
            PreparedStatement select = statement("SELECT dir, name FROM files WHERE vanished = 1 AND size = ? AND digest = ?"
                    + " AND changed = 0 LIMIT 1");
            select.setLong(1, size);
            select.setBytes(2, digest);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return false;
                }
                long fromDir = rows.getLong(1);
                byte[] fromName = rows.getBytes(2);
                rows.close();
                return carry(fromDir, fromName, dir, name, false) > 0;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private int carry(Object fromDir, Object fromName, Object toDir, Object toName, boolean digests) throws StoreException {
        String copied = digests
                ? "digest = v.digest, blocks = v.blocks, baselined_at = v.baselined_at, checked_at = v.checked_at,"
                    + " verified_at = v.verified_at, corrupt_since = v.corrupt_since, bad_ranges = v.bad_ranges"
                : "baselined_at = v.baselined_at";
        int updated = update("UPDATE files SET " + copied + " FROM (SELECT * FROM files WHERE dir = ? AND name = ?) AS v"
                + " WHERE files.dir = ? AND files.name = ?", fromDir, fromName, toDir, toName);
        update("DELETE FROM files WHERE dir = ? AND name = ?", fromDir, fromName);
        return updated;
    }

    /** Whether any file is known to have vanished (else no new file can be one of them, moved). */
    boolean anyVanished() throws StoreException {
        return single("SELECT EXISTS (SELECT 1 FROM files WHERE vanished = 1)") != 0;
    }

    /** New, edited and corrupt files of this run's directories that this run has not yet digested. */
    List<Work> pending(long run, int limit) throws StoreException {
        return work("SELECT " + WORK_COLUMNS + " FROM files f JOIN dirs d ON d.id = f.dir"
                + " WHERE (f.digest IS NULL OR f.changed = 1 OR f.corrupt_since IS NOT NULL) AND f.link = 0 AND f.vanished = 0"
                + " AND d.scanned_run = ? AND f.attempted_run < ? ORDER BY f.dir, f.name LIMIT ?", run, run, limit);
    }

    /** Baselined files of this run's directories last checked before {@code checkedBefore}, oldest first. */
    List<Work> due(long run, long checkedBefore, int limit) throws StoreException {
        return work("SELECT " + WORK_COLUMNS + " FROM files f JOIN dirs d ON d.id = f.dir"
                + " WHERE f.digest IS NOT NULL AND f.changed = 0 AND f.link = 0 AND f.vanished = 0"
                + " AND f.checked_at < ? AND d.scanned_run = ? AND f.attempted_run < ? ORDER BY f.checked_at LIMIT ?",
                checkedBefore, run, run, limit);
    }

    /** The row of the file at {@code path}, or null. */
    Work fileAt(byte[] directory, byte[] name) throws StoreException {
        List<Work> found = work("SELECT " + WORK_COLUMNS + " FROM files f JOIN dirs d ON d.id = f.dir"
                + " WHERE d.path = ? AND f.name = ?", directory, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private List<Work> work(String sql, Object... arguments) throws StoreException {
        List<Work> work = new ArrayList<>();
        try {
            PreparedStatement select = statement(sql);
            bind(select, arguments);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    FileStat snapshot = new FileStat(rows.getLong(4), rows.getLong(5), 0, 0, rows.getLong(6),
                            rows.getLong(7), rows.getLong(8));
                    work.add(new Work(rows.getLong(1), rows.getBytes(2), rows.getBytes(3), snapshot, rows.getBytes(9),
                            rows.getBytes(10), rows.getBoolean(11), nullableLong(rows, 12), nullableLong(rows, 13)));
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return work;
    }

    /** Files and bytes to digest first (new, edited, corrupt), then files and bytes due for verification. */
    long[] plannedWork(long run, long checkedBefore) throws StoreException {
        try {
            PreparedStatement select = statement("SELECT"
                    + " count(CASE WHEN f.digest IS NULL OR f.changed = 1 OR f.corrupt_since IS NOT NULL THEN 1 END),"
                    + " COALESCE(sum(CASE WHEN f.digest IS NULL OR f.changed = 1 OR f.corrupt_since IS NOT NULL THEN f.size END), 0),"
                    + " count(CASE WHEN f.digest IS NOT NULL AND f.changed = 0 AND f.checked_at < ? THEN 1 END),"
                    + " COALESCE(sum(CASE WHEN f.digest IS NOT NULL AND f.changed = 0 AND f.checked_at < ? THEN f.size END), 0)"
                    + " FROM files f JOIN dirs d ON d.id = f.dir"
                    + " WHERE f.link = 0 AND f.vanished = 0 AND d.scanned_run = ? AND f.attempted_run < ?");
            bind(select, checkedBefore, checkedBefore, run, run);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return new long[] {rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4)};
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Bytes of the baselined files of this run's directories: the base of --percent. */
    long baselinedBytes(long run) throws StoreException {
        return single("SELECT COALESCE(sum(f.size), 0) FROM files f JOIN dirs d ON d.id = f.dir"
                + " WHERE f.digest IS NOT NULL AND f.link = 0 AND f.vanished = 0 AND d.scanned_run = ?", run);
    }

    /** New digests and the snapshot they were taken with, in one statement. */
    void storeBaseline(Work work, ContentReader.Digested digested, long now, long run) throws StoreException {
        FileStat stat = digested.stat();
        update("UPDATE files SET device = ?, inode = ?, size = ?, mtime_ns = ?, ctime_ns = ?, digest = ?, blocks = ?,"
                + " changed = 0, baselined_at = ?, checked_at = ?, verified_at = NULL, attempted_run = ?,"
                + " corrupt_since = NULL, bad_ranges = NULL WHERE dir = ? AND name = ?", stat.device(), stat.inode(),
                stat.size(), stat.mtimeNanos(), stat.ctimeNanos(), digested.digest(), digested.blocks(), now, now, run,
                work.dir(), work.name());
    }

    /** The content matches its digests (again): checked now; a finding, if any, is closed. */
    void storeVerified(Work work, FileStat stat, long now, long run) throws StoreException {
        update("UPDATE files SET device = ?, inode = ?, size = ?, mtime_ns = ?, ctime_ns = ?, changed = 0,"
                + " checked_at = ?, verified_at = ?, attempted_run = ?, corrupt_since = NULL, bad_ranges = NULL"
                + " WHERE dir = ? AND name = ?", stat.device(), stat.inode(), stat.size(), stat.mtimeNanos(),
                stat.ctimeNanos(), now, now, run, work.dir(), work.name());
    }

    /** Corrupt: the good digests and snapshot stay; the finding is opened (or kept) with the bad ranges. */
    void storeCorrupt(Work work, String ranges, long now, long run) throws StoreException {
        update("UPDATE files SET corrupt_since = COALESCE(corrupt_since, ?), bad_ranges = ?, attempted_run = ?"
                + " WHERE dir = ? AND name = ?", now, ranges, run, work.dir(), work.name());
    }

    /** Tried and given up for this run (changed while read, unreadable). */
    void storeAttempt(Work work, long run) throws StoreException {
        update("UPDATE files SET attempted_run = ? WHERE dir = ? AND name = ?", run, work.dir(), work.name());
    }

    /** Forgets the files that vanished below the roots, and directories left empty that no run listed. */
    int deleteVanished(List<byte[]> roots, long run) throws StoreException {
        List<Object> arguments = new ArrayList<>();
        String scope = underRoots("path", roots, arguments);
        int removed = update("DELETE FROM files WHERE vanished = 1 AND dir IN (SELECT id FROM dirs WHERE " + scope + ")",
                arguments.toArray());
        arguments.add(run);
        update("DELETE FROM dirs WHERE " + scope + " AND scanned_run < ? AND NOT EXISTS (SELECT 1 FROM files WHERE dir = dirs.id)",
                arguments.toArray());
        return removed;
    }

    /** Open findings below the roots (all of them when {@code roots} is empty), by path. */
    public List<Finding> findings(List<byte[]> roots) throws StoreException {
        List<Object> arguments = new ArrayList<>();
        String scope = roots.isEmpty() ? "1" : underRoots("d.path", roots, arguments);
        List<Finding> findings = new ArrayList<>();
        try {
            PreparedStatement select = statement("SELECT d.path, f.name, f.bad_ranges, f.checked_at, f.corrupt_since,"
                    + " f.changed, f.size FROM files f JOIN dirs d ON d.id = f.dir"
                    + " WHERE f.corrupt_since IS NOT NULL AND f.vanished = 0 AND " + scope + " ORDER BY d.path, f.name");
            bind(select, arguments.toArray());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    findings.add(new Finding(TreeWalker.child(rows.getBytes(1), rows.getBytes(2)),
                            Finding.parseRanges(rows.getString(3)), rows.getLong(4), rows.getLong(5), !rows.getBoolean(6),
                            rows.getLong(7)));
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return findings;
    }

    /** Coverage below the roots (everything when {@code roots} is empty). */
    public Coverage coverage(List<byte[]> roots, long checkedSince) throws StoreException {
        List<Object> arguments = new ArrayList<>();
        arguments.add(checkedSince);
        String scope = roots.isEmpty() ? "1" : underRoots("d.path", roots, arguments);
        try {
            PreparedStatement select = statement("SELECT"
                    + " count(f.digest), COALESCE(sum(CASE WHEN f.digest IS NOT NULL THEN f.size END), 0),"
                    + " count(CASE WHEN f.checked_at >= ? THEN 1 END),"
                    + " count(CASE WHEN f.digest IS NOT NULL AND f.verified_at IS NULL THEN 1 END),"
                    + " count(CASE WHEN f.digest IS NULL THEN 1 END),"
                    + " min(f.checked_at), count(f.corrupt_since)"
                    + " FROM files f JOIN dirs d ON d.id = f.dir WHERE f.link = 0 AND f.vanished = 0 AND " + scope);
            bind(select, arguments.toArray());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return new Coverage(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getLong(5),
                        nullableLong(rows, 6), rows.getLong(7));
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    void maybeCommit() throws StoreException {
        if (System.currentTimeMillis() - lastCommit >= COMMIT_MILLIS) {
            commit();
        }
    }

    void commit() throws StoreException {
        try {
            db.commit();
            lastCommit = System.currentTimeMillis();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** The one number a statement returns. */
    private long single(String sql, Object... arguments) throws StoreException {
        try {
            PreparedStatement statement = statement(sql);
            bind(statement, arguments);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private int update(String sql, Object... arguments) throws StoreException {
        try {
            PreparedStatement update = statement(sql);
            bind(update, arguments);
            return update.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = db.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    private static void bind(PreparedStatement statement, Object... arguments) throws SQLException {
        for (int i = 0; i < arguments.length; i++) {
            Object argument = arguments[i];
            if (argument instanceof byte[] bytes) {
                statement.setBytes(i + 1, bytes);
            } else if (argument instanceof String text) {
                statement.setString(i + 1, text);
            } else if (argument == null) {
                statement.setNull(i + 1, java.sql.Types.NULL);
            } else {
                statement.setLong(i + 1, ((Number) argument).longValue());
            }
        }
    }

    private static Long nullableLong(ResultSet rows, int column) throws SQLException {
        long value = rows.getLong(column);
        return rows.wasNull() ? null : value;
    }

    private StoreException failure(SQLException e) {
        return new StoreException(file + ": " + sqliteMessage(e), e);
    }

    /** sqlite-jdbc's messages carry the result code name and the text, e.g. "[SQLITE_CORRUPT] ... (database disk image is malformed)". */
    private static String sqliteMessage(SQLException e) {
        String message = String.valueOf(e.getMessage());
        int open = message.lastIndexOf('(');
        int close = message.lastIndexOf(')');
        String detail = open >= 0 && close > open ? message.substring(open + 1, close) : message;
        if (message.contains("SQLITE_NOTADB")) {
            return "not a bitrot-scrub database (not an SQLite file); nothing was changed";
        }
        if (message.contains("SQLITE_CORRUPT")) {
            return "the database is damaged (" + detail + "); restore it from a backup or move it away to start afresh";
        }
        if (message.contains("SQLITE_READONLY") || message.contains("SQLITE_CANTOPEN")) {
            return "cannot write the database (" + detail + ")";
        }
        return detail;
    }

    private static String reason(IOException e) {
        String message = e.getMessage();
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : message;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception ignored) {
            // already failing
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing held
        }
    }

    @Override
    public void close() throws StoreException {
        try {
            for (PreparedStatement statement : statements.values()) {
                statement.close();
            }
            if (!db.getAutoCommit()) {
                db.commit();
            }
            db.close();
        } catch (SQLException e) {
            throw failure(e);
        } finally {
            if (lockChannel != null) {
                closeQuietly(lockChannel);
            }
        }
    }
}
