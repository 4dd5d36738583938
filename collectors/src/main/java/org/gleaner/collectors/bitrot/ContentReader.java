package org.gleaner.collectors.bitrot;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.gleaner.collectors.jna.FileCalls;

/**
 * Reads a file from the medium and digests it block by block. O_DIRECT where the filesystem takes
 * it, so that neither a cached page is trusted nor the page cache disturbed; elsewhere the file's
 * clean cached pages are dropped before and after the read (POSIX_FADV_DONTNEED, posix_fadvise(2))
 * so that the read reaches the medium. The file's metadata is compared after every read: a file
 * that changes while it is read is given up, never judged. Reading and digesting overlap: while
 * one buffer is digested on a helper thread the next is read, so the disk never waits for the CPU
 * (the reading thread keeps its I/O priority).
 */
final class ContentReader implements AutoCloseable {
    static final int BLOCK_SIZE = 1 << 20;
    /** Blocks per read at full speed; a rate-limited reader reads one block at a time. */
    static final int BLOCKS_PER_FAST_READ = 4;
    private static final int ALIGNMENT = 4096;

    private static final Failed DIRECT_REFUSED = new Failed("O_DIRECT refused");

    private final RawFiles files = new RawFiles();
    private final DigestAlgorithm.Hasher hasher;
    private final DigestAlgorithm algorithm;
    private final TokenBucket bytesPerSecond;
    private final ByteBuffer[] buffers = new ByteBuffer[2];
    /** The buffers' native memory: JNA's, outside the JVM's direct-memory cap (the agent runs with a small one). */
    private final Memory[] memory = new Memory[2];
    private final ExecutorService digesting = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "scrubber-digest");
        thread.setDaemon(true);
        return thread;
    });
    private boolean noatime = true;

    sealed interface Outcome permits Digested, Changed, Vanished, Failed {}

    /** The content's digests and the metadata they go with. */
    record Digested(FileStat stat, byte[] blocks, byte[] digest) implements Outcome {}

    /** The file changed while it was read (or is no longer the file that was listed). */
    record Changed() implements Outcome {}

    record Vanished() implements Outcome {}

    /** It could not be read; {@code reason} is the system's error text. */
    record Failed(String reason) implements Outcome {}

    ContentReader(DigestAlgorithm algorithm, TokenBucket bytesPerSecond, int blocksPerRead) {
        this.algorithm = algorithm;
        this.hasher = algorithm.newHasher();
        this.bytesPerSecond = bytesPerSecond;
        int capacity = BLOCK_SIZE * blocksPerRead;
        for (int i = 0; i < buffers.length; i++) {
            // aligned for O_DIRECT (open(2): to the logical block size, which 4096 covers)
            memory[i] = new Memory(capacity + ALIGNMENT);
            buffers[i] = memory[i].align(ALIGNMENT).getByteBuffer(0, capacity);
        }
    }

    /**
     * Digests the file at {@code path} if it is a regular file and, unless {@code expected} is
     * null, still the one it names (same device and inode).
     */
    Outcome read(byte[] path, FileStat expected) throws InterruptedException {
        int fd;
        boolean direct = true;
        try {
            fd = open(path, true);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != FileCalls.EINVAL) {
                return failure(e);
            }
            try {
                fd = open(path, false);
                direct = false;
            } catch (LastErrorException again) {
                return failure(again);
            }
        }
        try {
            Outcome outcome = digest(fd, expected, direct);
            if (outcome == DIRECT_REFUSED) {
                // some filesystems take O_DIRECT at open and refuse it at read (EINVAL): read buffered instead
                RawFiles.close(fd);
                fd = -1;
                fd = open(path, false);
                outcome = digest(fd, expected, false);
            }
            return outcome;
        } catch (LastErrorException e) {
            return failure(e);
        } finally {
            if (fd >= 0) {
                RawFiles.close(fd);
            }
        }
    }

    private static Outcome failure(LastErrorException e) {
        int errno = e.getErrorCode();
        if (errno == FileCalls.ENOENT || errno == FileCalls.ENOTDIR) {
            return new Vanished();
        }
        if (errno == FileCalls.ELOOP) {
            return new Changed(); // replaced by a symbolic link since the walk
        }
        return new Failed(RawFiles.errorText(e));
    }

    private int open(byte[] path, boolean direct) throws LastErrorException {
        int flags = FileCalls.O_RDONLY | FileCalls.O_NOFOLLOW | FileCalls.O_CLOEXEC | FileCalls.O_NONBLOCK
                | (direct ? FileCalls.O_DIRECT : 0);
        if (noatime) {
            try {
                return FileCalls.openat(FileCalls.AT_FDCWD, RawFiles.terminated(path), flags | FileCalls.O_NOATIME, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != FileCalls.EPERM) {
                    throw e;
                }
                noatime = false; // O_NOATIME needs the file's owner or CAP_FOWNER (open(2))
            }
        }
        return FileCalls.openat(FileCalls.AT_FDCWD, RawFiles.terminated(path), flags, 0);
    }

    private Outcome digest(int fd, FileStat expected, boolean direct) throws InterruptedException {
        FileStat before = files.stat(fd);
        if (!before.isRegularFile()
                || expected != null && (before.device() != expected.device() || before.inode() != expected.inode())) {
            return new Changed();
        }
        if (!direct) {
            FileCalls.posix_fadvise(fd, 0, 0, FileCalls.POSIX_FADV_DONTNEED);
        }
        long blockCount = (before.size() + BLOCK_SIZE - 1) / BLOCK_SIZE;
        if (blockCount * algorithm.length() > Integer.MAX_VALUE - 8) {
            return new Failed("too large to digest");
        }
        byte[] blocks = new byte[(int) blockCount * algorithm.length()];
        long total = 0;
        int block = 0;
        int current = 0;
        Future<?> pending = null;
        try {
            while (true) {
                ByteBuffer buffer = buffers[current];
                int filled;
                try {
                    filled = fill(fd, buffer);
                } catch (LastErrorException e) {
                    if (direct && e.getErrorCode() == FileCalls.EINVAL) {
                        return DIRECT_REFUSED;
                    }
                    return new Failed(RawFiles.errorText(e));
                }
                bytesPerSecond.take(filled);
                total += filled;
                if (total > before.size() || !files.stat(fd).sameSnapshot(before)) {
                    return new Changed();
                }
                await(pending);
                pending = null;
                int first = block;
                block += (filled + BLOCK_SIZE - 1) / BLOCK_SIZE;
                Runnable digest = () -> digestBlocks(buffer, filled, blocks, first);
                if (filled < buffer.capacity()) {
                    digest.run(); // the last (for a small file the only) part: no hand-over
                    break;
                }
                pending = digesting.submit(digest);
                current = 1 - current;
            }
        } finally {
            await(pending);
        }
        if (!direct) {
            FileCalls.posix_fadvise(fd, 0, 0, FileCalls.POSIX_FADV_DONTNEED);
        }
        if (total != before.size()) {
            return new Changed();
        }
        return new Digested(before, blocks, hasher.file(total, blocks));
    }

    private void digestBlocks(ByteBuffer buffer, int filled, byte[] blocks, int firstBlock) {
        int block = firstBlock;
        for (int at = 0; at < filled; at += BLOCK_SIZE) {
            int length = Math.min(BLOCK_SIZE, filled - at);
            hasher.block(buffer.slice(at, length), length, blocks, block * algorithm.length());
            block++;
        }
    }

    private static void await(Future<?> digest) throws InterruptedException {
        if (digest == null) {
            return;
        }
        try {
            digest.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("digesting failed: " + e.getCause(), e.getCause());
        }
    }

    /** Reads until the buffer is full or the file ends; the bytes read. */
    private static int fill(int fd, ByteBuffer buffer) throws LastErrorException {
        int filled = 0;
        while (filled < buffer.capacity()) {
            long read;
            try {
                read = FileCalls.read(fd, filled == 0 ? buffer : buffer.slice(filled, buffer.capacity() - filled),
                        buffer.capacity() - filled);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == FileCalls.EINTR) {
                    continue;
                }
                throw e;
            }
            if (read == 0) {
                break;
            }
            filled += (int) read;
        }
        return filled;
    }

    @Override
    public void close() {
        digesting.shutdownNow();
        for (Memory allocated : memory) {
            allocated.close();
        }
    }
}
