package org.gleaner.collectors.bitrot;

import com.sun.jna.LastErrorException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.gleaner.collectors.jna.FileCalls;
import org.gleaner.collectors.text.BytePath;

/**
 * The scrubbing engine. A run walks the trees and records what it finds (new files, files whose
 * metadata moved, files gone), carries the baselines of moved files over, digests new, edited and
 * corrupt files first, then verifies the files whose last check is oldest within the run's limits.
 * A file is corrupt when its content differs from its baseline while its size, mtime, ctime and
 * inode are unchanged; its good baseline is kept, and it is reported on every run until it is
 * accepted or matches again.
 */
public final class Scrubber {
    private static final int BATCH = 256;
    private static final int MAX_LISTED_ERRORS = 1000;
    /**
     * File times come from a coarse clock (a jiffy, up to 10 ms, except where the kernel uses
     * multigrain timestamps): a write right after a snapshot can leave mtime and ctime as they
     * were. A snapshot whose ctime is this close to the moment it was taken is "racy", and a
     * difference found against it counts as an edit, never as corruption.
     */
    static final long RACY_MILLIS = 100;
    /** Below this read rate one block per read is plenty (and keeps the agent's memory small). */
    private static final long FAST_READS_FROM = 64L << 20;

    /**
     * @param roots absolute paths without a trailing '/'
     * @param hash the digest for a new database, or null for the database's own (xxh3-128 when new)
     * @param budget stop starting new files after this long, or null
     * @param percent verify at most this share of the baselined bytes per run (0: no limit)
     * @param olderThan verify only files last checked longer ago than this
     * @param bytesPerSecond read rate limit, 0 for none
     * @param filesPerSecond files opened per second, 0 for none
     */
    public record Options(List<byte[]> roots, DigestAlgorithm hash, Duration budget, int percent, Duration olderThan,
            long bytesPerSecond, double filesPerSecond, PathFilter filter, boolean crossFilesystems, boolean idleIo) {
        /** A root inside another is dropped (it would be walked twice, and its files taken for their own hard links). */
        public Options {
            List<byte[]> sorted = new ArrayList<>(roots);
            sorted.sort(Arrays::compareUnsigned);
            List<byte[]> outermost = new ArrayList<>();
            for (byte[] root : sorted) {
                if (outermost.isEmpty() || !within(root, outermost.get(outermost.size() - 1))) {
                    outermost.add(root);
                }
            }
            roots = List.copyOf(outermost);
        }

        private static boolean within(byte[] path, byte[] root) {
            if (root.length == 1 && root[0] == '/') {
                return true;
            }
            return path.length >= root.length && Arrays.equals(path, 0, root.length, root, 0, root.length)
                    && (path.length == root.length || path[root.length] == '/');
        }
    }

    /** Progress, called on the scrubbing thread. */
    public interface Listener {
        default void scanned(long files, long bytes) {}

        /** After the walk: the work this run means to do (limits applied). */
        default void planned(long files, long bytes) {}

        default void digested(long files, long bytes) {}

        /** A corruption found for the first time. */
        default void corrupt(Finding finding) {}
    }

    /** A file or directory that could not be read, and why. */
    public record ReadError(byte[] path, String reason) {}

    /**
     * @param complete the walk finished (a stopped walk deletes nothing) and every due file was reached
     * @param unreadable the first {@value #MAX_LISTED_ERRORS} read errors ({@code counts.readErrors} has them all)
     * @param findings the open findings below the roots, old and new
     * @param ioPriority "idle", or why it could not be set ("best-effort" when not asked)
     */
    public record Report(boolean complete, List<Finding> findings, List<ReadError> unreadable, String hash,
            String ioPriority, long elapsedMillis) {}

    private final ScrubStore store;
    private final Options options;
    private final ScrubCounts counts;
    private final Listener listener;
    private final BooleanSupplier stopRequested;
    private final Clock clock;
    private final List<ReadError> unreadable = new ArrayList<>();
    private final Set<InodeKey> linkedInodes = new HashSet<>();
    private ContentReader reader;
    private TokenBucket filesBucket;
    private DigestAlgorithm algorithm;
    private long run;
    private long deadline;
    private long digestedFiles;
    private long digestedBytes;
    private boolean anyVanished;

    private record InodeKey(long device, long inode) {}

    private InodeKey storeFile;
    private List<byte[]> storeCompanions;

    /** Through statx(2), as the walker sees files: its device number is major and minor apart, not st_dev's. */
    private static InodeKey inodeOf(Path file) throws StoreException {
        try {
            FileStat stat = new RawFiles().stat(FileCalls.AT_FDCWD, BytePath.ofKernel(file.toAbsolutePath()).bytes());
            return new InodeKey(stat.device(), stat.inode());
        } catch (LastErrorException e) {
            throw new StoreException(file + ": " + RawFiles.errorText(e), e);
        }
    }

    /** The database and the files beside it, where the tree holds them: not data. */
    private List<TreeWalker.FileEntry> withoutTheStore(List<TreeWalker.FileEntry> files) {
        if (files.stream().noneMatch(file -> storeFile.equals(new InodeKey(file.stat().device(), file.stat().inode())))) {
            return files;
        }
        List<TreeWalker.FileEntry> data = new ArrayList<>(files);
        data.removeIf(file -> storeFile.equals(new InodeKey(file.stat().device(), file.stat().inode()))
                || storeCompanions.stream().anyMatch(name -> Arrays.equals(name, file.name())));
        return data;
    }

    public Scrubber(ScrubStore store, Options options, ScrubCounts counts, Listener listener, BooleanSupplier stopRequested,
            Clock clock) {
        this.store = store;
        this.options = options;
        this.counts = counts;
        this.listener = listener;
        this.stopRequested = stopRequested;
        this.clock = clock;
    }

    /**
     * The digest in use: the database's, or for a new one the requested (default xxh3-128).
     *
     * @throws IllegalArgumentException when another digest was asked for than the database uses
     */
    public static DigestAlgorithm algorithm(ScrubStore store, DigestAlgorithm requested) throws StoreException {
        DigestAlgorithm recorded = store.algorithm();
        if (recorded == null) {
            DigestAlgorithm chosen = requested == null ? DigestAlgorithm.XXH3_128 : requested;
            store.recordAlgorithm(chosen);
            return chosen;
        }
        if (requested != null && requested != recorded) {
            throw new IllegalArgumentException("--hash " + requested.label() + ": the database " + store.file() + " holds "
                    + recorded.label() + " digests (use another --db to start one with " + requested.label() + ")");
        }
        return recorded;
    }

    /** What {@link #accept} did. */
    public enum Acceptance {
        ACCEPTED("accepted: its current content is the new baseline"),
        NO_FINDING("has no open finding: nothing to accept"),
        NOT_TRACKED("is not in the database"),
        CHANGED("changed while it was read: try again"),
        VANISHED("no longer exists");

        private final String text;

        Acceptance(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * Takes a corrupt file's current content as its new baseline and closes its finding.
     *
     * @throws ReadFailure when the file cannot be read
     */
    public static Acceptance accept(ScrubStore store, byte[] path, Clock clock)
            throws StoreException, InterruptedException, ReadFailure {
        int slash = lastSlash(path);
        byte[] directory = slash == 0 ? new byte[] {'/'} : Arrays.copyOf(path, slash);
        ScrubStore.Work work = store.fileAt(directory, Arrays.copyOfRange(path, slash + 1, path.length));
        if (work == null) {
            return Acceptance.NOT_TRACKED;
        }
        if (work.corruptSince() == null) {
            return Acceptance.NO_FINDING;
        }
        DigestAlgorithm algorithm = store.algorithm();
        ContentReader.Outcome outcome;
        try (ContentReader reader = new ContentReader(algorithm, new TokenBucket(0), ContentReader.BLOCKS_PER_FAST_READ)) {
            outcome = reader.read(path, null);
        }
        if (outcome instanceof ContentReader.Failed failed) {
            throw new ReadFailure(failed.reason());
        }
        if (outcome instanceof ContentReader.Vanished) {
            return Acceptance.VANISHED;
        }
        if (outcome instanceof ContentReader.Changed) {
            return Acceptance.CHANGED;
        }
        store.storeBaseline(work, (ContentReader.Digested) outcome, clock.millis(), 0);
        store.commit();
        return Acceptance.ACCEPTED;
    }

    private static int lastSlash(byte[] path) {
        for (int i = path.length - 1; i >= 0; i--) {
            if (path[i] == '/') {
                return i;
            }
        }
        throw new IllegalArgumentException("not an absolute path");
    }

    /** A file that could not be read; the message is the system's reason. */
    public static final class ReadFailure extends Exception {
        public ReadFailure(String reason) {
            super(reason);
        }
    }

    public Report run() throws StoreException, InterruptedException {
        long started = clock.millis();
        algorithm = algorithm(store, options.hash());
        String ioPriority = options.idleIo() ? idleIoPriority() : "best-effort";
        boolean fast = options.bytesPerSecond() == 0 || options.bytesPerSecond() >= FAST_READS_FROM;
        reader = new ContentReader(algorithm, new TokenBucket(options.bytesPerSecond()),
                fast ? ContentReader.BLOCKS_PER_FAST_READ : 1);
        filesBucket = new TokenBucket(options.filesPerSecond());
        deadline = options.budget() == null ? Long.MAX_VALUE : started + options.budget().toMillis();
        try {
            return run(started, ioPriority);
        } finally {
            reader.close();
        }
    }

    private Report run(long started, String ioPriority) throws StoreException, InterruptedException {
        run = store.beginRun(started);
        storeFile = inodeOf(store.file());
        storeCompanions = store.companionNames();

        boolean walked = scan();
        if (walked) {
            store.markUnlistedVanished(options.roots(), run);
        }
        counts.moved.addAndGet(store.carryMovedByInode(run));
        anyVanished = store.anyVanished();
        store.commit();

        long checkedBefore = started - options.olderThan().toMillis();
        long byteLimit = options.percent() > 0 ? Math.max(1, store.baselinedBytes(run) * options.percent() / 100) : Long.MAX_VALUE;
        long[] planned = store.plannedWork(run, checkedBefore);
        long dueBytes = Math.min(planned[3], byteLimit);
        long dueFiles = planned[3] == 0 ? 0 : (long) Math.ceil((double) planned[2] * dueBytes / planned[3]);
        listener.planned(planned[0] + dueFiles, planned[1] + dueBytes);
        boolean reached = digestAll(() -> store.pending(run, BATCH), Long.MAX_VALUE)
                && digestAll(() -> store.due(run, checkedBefore, BATCH), byteLimit);
        if (walked) {
            counts.removed.addAndGet(store.deleteVanished(options.roots(), run));
        }
        store.finishRun(run, clock.millis());
        return new Report(walked && reached, store.findings(options.roots()), List.copyOf(unreadable), algorithm.label(),
                ioPriority, clock.millis() - started);
    }

    /** ioprio_set(2) for this thread: the idle class, served only when the disk is otherwise idle (and only by BFQ). */
    private static String idleIoPriority() {
        try {
            FileCalls.IoPriority.INSTANCE.syscall(FileCalls.IoPriority.SYS_IOPRIO_SET, FileCalls.IoPriority.IOPRIO_WHO_PROCESS, 0,
                    FileCalls.IoPriority.IOPRIO_CLASS_IDLE << FileCalls.IoPriority.IOPRIO_CLASS_SHIFT);
            return "idle";
        } catch (LastErrorException e) {
            return "unchanged (" + RawFiles.errorText(e) + ")";
        }
    }

    /** Walks every root; false when stopped before the end. */
    private boolean scan() throws StoreException, InterruptedException {
        TreeWalker walker = new TreeWalker(options.filter(), options.crossFilesystems());
        for (byte[] root : options.roots()) {
            StoreVisitor visitor = new StoreVisitor();
            try {
                walker.walk(root, visitor);
            } catch (StoppedException stopped) {
                return false;
            } catch (WrappedStoreException wrapped) {
                throw wrapped.cause;
            }
        }
        return true;
    }

    private static final class StoppedException extends RuntimeException {
        StoppedException() {
            super(null, null, false, false);
        }
    }

    /** Carries a database failure out of the walker's callbacks. */
    private static final class WrappedStoreException extends RuntimeException {
        final StoreException cause;

        WrappedStoreException(StoreException cause) {
            super(null, null, false, false);
            this.cause = cause;
        }
    }

    private final class StoreVisitor implements TreeWalker.Visitor {
        @Override
        public void directory(byte[] path, List<TreeWalker.FileEntry> files, List<byte[]> unexamined) {
            if (stopRequested.getAsBoolean()) {
                throw new StoppedException();
            }
            try {
                record(path, files, unexamined);
            } catch (StoreException e) {
                throw new WrappedStoreException(e);
            }
            listener.scanned(counts.filesSeen.get(), counts.bytesSeen.get());
        }

        private void record(byte[] path, List<TreeWalker.FileEntry> files, List<byte[]> unexamined) throws StoreException {
            long dir = store.directory(path, run);
            Map<NameKey, ScrubStore.Stored> stored = store.filesIn(dir);
            for (TreeWalker.FileEntry file : withoutTheStore(files)) {
                FileStat stat = file.stat();
                counts.filesSeen.incrementAndGet();
                counts.bytesSeen.addAndGet(stat.size());
                boolean link = stat.links() > 1 && !linkedInodes.add(new InodeKey(stat.device(), stat.inode()));
                ScrubStore.Stored known = stored.remove(new NameKey(file.name()));
                if (known == null) {
                    store.insertFile(dir, file.name(), stat, link);
                } else if (known.vanished() || known.link() != link || !known.changed() && !known.snapshot().sameSnapshot(stat)) {
                    store.updateScanned(dir, file.name(), stat, known, link);
                }
            }
            for (byte[] name : unexamined) {
                stored.remove(new NameKey(name));
            }
            for (Map.Entry<NameKey, ScrubStore.Stored> gone : stored.entrySet()) {
                if (!gone.getValue().vanished()) {
                    store.markVanished(dir, gone.getKey().bytes());
                }
            }
            store.maybeCommit();
        }

        @Override
        public void unreadable(byte[] path, String reason) {
            recordError(path, reason);
            try {
                store.keepUnlisted(path, run);
            } catch (StoreException e) {
                throw new WrappedStoreException(e);
            }
        }
    }

    private void recordError(byte[] path, String reason) {
        counts.readErrors.incrementAndGet();
        if (unreadable.size() < MAX_LISTED_ERRORS) {
            unreadable.add(new ReadError(path, reason));
        }
    }

    private interface Batch {
        List<ScrubStore.Work> next() throws StoreException;
    }

    /** Digests batch after batch until none is left (true), or a limit or a stop comes first (false). */
    private boolean digestAll(Batch batches, long byteLimit) throws StoreException, InterruptedException {
        long bytes = 0;
        while (true) {
            List<ScrubStore.Work> batch = batches.next();
            if (batch.isEmpty()) {
                return true;
            }
            for (ScrubStore.Work work : batch) {
                if (stopRequested.getAsBoolean() || clock.millis() >= deadline || bytes >= byteLimit) {
                    return false;
                }
                bytes += digest(work);
                store.maybeCommit();
            }
        }
    }

    private static boolean racy(ScrubStore.Work work) {
        return work.checkedAt() != null && work.checkedAt() - work.snapshot().ctimeNanos() / 1_000_000 < RACY_MILLIS;
    }

    /** Digests one file and records the verdict; the bytes read. */
    private long digest(ScrubStore.Work work) throws StoreException, InterruptedException {
        filesBucket.take(1);
        byte[] path = TreeWalker.child(work.path(), work.name());
        // a file known to have changed may have been replaced (a new inode); otherwise it must be the same file
        FileStat expected = work.digest() == null || work.changed() || work.corruptSince() != null ? null : work.snapshot();
        ContentReader.Outcome outcome = reader.read(path, expected);
        long now = clock.millis();
        if (outcome instanceof ContentReader.Changed) {
            counts.skippedChanging.incrementAndGet();
            store.storeAttempt(work, run);
            return 0;
        }
        if (outcome instanceof ContentReader.Vanished) {
            counts.vanishedWhileRead.incrementAndGet();
            store.storeAttempt(work, run);
            return 0;
        }
        if (outcome instanceof ContentReader.Failed failed) {
            recordError(path, failed.reason());
            store.storeAttempt(work, run);
            return 0;
        }
        ContentReader.Digested digested = (ContentReader.Digested) outcome;
        long size = digested.stat().size();
        digestedFiles++;
        digestedBytes += size;
        listener.digested(digestedFiles, digestedBytes);
        if (work.digest() == null) {
            store.storeBaseline(work, digested, now, run);
            counts.filesBaselined.incrementAndGet();
            counts.bytesBaselined.addAndGet(size);
            if (anyVanished && store.carryMovedByContent(work.dir(), work.name(), size, digested.digest())) {
                counts.moved.incrementAndGet();
            }
        } else if (Arrays.equals(digested.digest(), work.digest())) {
            store.storeVerified(work, digested.stat(), now, run);
            (work.corruptSince() != null ? counts.restored : counts.filesVerified).incrementAndGet();
            counts.bytesVerified.addAndGet(size);
        } else if (work.corruptSince() == null && (!work.snapshot().sameSnapshot(digested.stat()) || racy(work))) {
            store.storeBaseline(work, digested, now, run);
            counts.filesEdited.incrementAndGet();
        } else {
            List<long[]> ranges = Finding.differingRanges(work.blocks(), work.snapshot().size(), digested.blocks(), size,
                    algorithm.length());
            store.storeCorrupt(work, Finding.formatRanges(ranges), now, run);
            if (work.corruptSince() == null) {
                counts.corruptionsFound.incrementAndGet();
                listener.corrupt(new Finding(path, ranges, work.checkedAt() == null ? now : work.checkedAt(), now, true, size));
            } else {
                counts.stillCorrupt.incrementAndGet();
            }
        }
        return size;
    }
}
