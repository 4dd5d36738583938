package org.gleaner.agent.pipeline;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable, size-bounded FIFO of datapoints between the daemon and carbon.
 *
 * <p>A directory of segment files {@code segment-NNNNNNNNNNNNNNNNNNNN.spool} (8-byte magic, then
 * records) plus {@code ack} (the durable read position) and {@code lock}. A record is one
 * {@link #append} call: {@code u32 bodyLength, u32 crc32c(body), body}, body =
 * {@code u32 count, i64 oldestEpochSeconds, count × (u16 pathLength, path UTF-8, f64 value, i64 epochSeconds)},
 * all big-endian. Appends are fdatasync'd before they return. A crash can leave only the newest
 * segment with a torn last record; it is detected (length or checksum) and cut off when the spool
 * is opened. Files are created 0600 (the directory 0700) and never through a symbolic link.
 *
 * <p>Each reader (one per mirrored destination group) has its own {@link Cursor}: reading is
 * separate from acknowledging: {@link Cursor#read} advances a volatile read position;
 * {@link Cursor#acknowledge} makes a position durable (two checksummed, alternating slots in the
 * cursor's file, {@code ack} for the first and {@code ack.N} for the others, so a torn write of one
 * slot leaves the other); {@link Cursor#rewind} returns the read position to the acknowledged one.
 * Segments are deleted once every cursor has passed them. When the segments exceed {@code maxBytes},
 * the oldest segments are dropped and each cursor counts the datapoints it had not acknowledged.
 *
 * <p>Thread-safe: the daemon appends while the sender thread reads and acknowledges.
 */
final class Spool implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    static final byte[] MAGIC = "GLSPOOL1".getBytes(StandardCharsets.US_ASCII);
    static final int RECORD_HEADER_BYTES = 8;
    /** count and oldest timestamp at the start of every body. */
    static final int BODY_PREFIX_BYTES = 12;
    private static final int ENTRY_FIXED_BYTES = 2 + 8 + 8;
    private static final int MAX_RECORD_BYTES = 256 << 20;
    private static final long MIN_SEGMENT_BYTES = 4096;
    private static final long MAX_SEGMENT_BYTES = 64L << 20;
    private static final int ACK_SLOT_BYTES = 32;
    private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{20})\\.spool");
    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    /** A place in the spool: a segment and a byte offset in its file. */
    record Position(long segment, long offset) implements Comparable<Position> {
        @Override
        public int compareTo(Position other) {
            int bySegment = Long.compare(segment, other.segment);
            return bySegment != 0 ? bySegment : Long.compare(offset, other.offset);
        }

        boolean isAfter(Position other) {
            return compareTo(other) > 0;
        }
    }

    /** Datapoints read from the spool, in order; {@code end} is the position just after them. */
    record Batch(List<Datapoint> datapoints, Position end) {
        boolean isEmpty() {
            return datapoints.isEmpty();
        }
    }

    private static final class Segment {
        final long id;
        final FileChannel channel;
        long size;

        Segment(long id, FileChannel channel, long size) {
            this.id = id;
            this.channel = channel;
            this.size = size;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentTargetBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<Cursor> cursors = new ArrayList<>();
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private long corruptRecords;

    private Spool(Path dir, long maxBytes, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentTargetBytes = Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 16));
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating it if needed) the spool in {@code dir}. Refuses a directory that is a symbolic
     * link, is not owned by this user, is writable by others, or is in use by another process.
     */
    static Spool open(Path dir, long maxBytes) throws IOException {
        return open(dir, maxBytes, 1);
    }

    /** As {@link #open(Path, long)}, with {@code readers} cursors. */
    static Spool open(Path dir, long maxBytes, int readers) throws IOException {
        if (readers < 1) {
            throw new IllegalArgumentException("a spool needs at least one reader");
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("spool max_bytes must be positive, not " + maxBytes);
        }
        prepareDirectory(dir);
        FileChannel lockChannel = openFile(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("spool directory " + dir + " is in use by another gleaner process");
        }
        Spool spool = null;
        try {
            spool = new Spool(dir, maxBytes, lockChannel, lock);
            for (int index = 0; index < readers; index++) {
                FileChannel ackChannel = openFile(dir.resolve(index == 0 ? "ack" : "ack." + index),
                        StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                spool.cursors.add(spool.new Cursor(ackChannel));
            }
            spool.load();
            return spool;
        } catch (IOException | RuntimeException e) {
            if (spool != null) {
                spool.close();
            } else {
                lockChannel.close();
            }
            throw e;
        }
    }

    /**
     * Appends one cycle as one record and fdatasyncs it; then drops the oldest segments while the
     * spool is over {@code maxBytes}, each cursor counting the datapoints it loses
     * ({@link Cursor#takeDropped}).
     */
    void append(List<Datapoint> cycle) throws IOException {
        if (cycle.isEmpty()) {
            return;
        }
        ByteBuffer record = encode(cycle);
        synchronized (this) {
            Segment active = segments.lastEntry().getValue();
            if (active.size >= segmentTargetBytes) {
                active = createSegment(active.id + 1);
            }
            try {
                writeFully(active.channel, record, active.size);
                active.channel.force(false);
            } catch (IOException e) {
                // e.g. a full disk: take back the partial record so that nothing follows garbage
                try {
                    active.channel.truncate(active.size);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            active.size += record.limit();
            notifyAll();
            dropOverLimit();
        }
    }

    /** The reader with this index (0 to readers - 1). */
    Cursor cursor(int index) {
        return cursors.get(index);
    }


    /**
     * Reads whole records from {@code from} (not past {@code until} when it is given), about
     * {@code softLimitBytes} worth (at least one record when there is one).
     */
    synchronized Batch readFrom(Position from, Position until, int softLimitBytes) throws IOException {
        Position start = normalize(from);
        Segment segment = segmentAt(start);
        if (segment == null || (until != null && !normalize(until).isAfter(start))) {
            return new Batch(List.of(), start);
        }
        long stop = until != null && until.segment == segment.id ? Math.min(until.offset, segment.size) : segment.size;
        long offset = start.offset;
        List<Datapoint> datapoints = new ArrayList<>();
        while (offset < stop && (datapoints.isEmpty() || offset - start.offset < softLimitBytes)) {
            long recordEnd = readRecord(segment, offset, datapoints);
            if (recordEnd < 0) {
                corruptRecords++;
                LOG.warn("spool segment {} has a corrupt record at byte {}: skipping the rest of that segment",
                        segmentPath(segment.id), offset);
                offset = segment.size;
                break;
            }
            offset = recordEnd;
        }
        return new Batch(datapoints, new Position(segment.id, offset));
    }

    /** The position after the last record. */
    synchronized Position end() {
        Segment last = segments.lastEntry().getValue();
        return new Position(last.id, last.size);
    }

    /** True when records follow {@code position} (and precede {@code until}, when it is given). */
    synchronized boolean hasData(Position position, Position until) {
        Position from = normalize(position);
        return (until == null ? end() : normalize(until)).isAfter(from) && end().isAfter(from);
    }

    /** Waits (at most {@code millis}) until something is appended after {@code position} or {@link #wakeUp}. */
    synchronized void awaitDataAfter(Position position, long millis, BooleanSupplier stop) throws InterruptedException {
        if (millis > 0 && !stop.getAsBoolean() && !hasData(position, null)) {
            wait(millis);
        }
    }

    synchronized void wakeUp() {
        notifyAll();
    }

    /** One reader's durable acknowledged position and volatile read position. Guarded by the spool. */
    final class Cursor {
        private final FileChannel ackChannel;
        private long ackSequence;
        private Position acknowledged;
        private Position unconfirmed;
        private Position readPosition;
        private long dropped;

        private Cursor(FileChannel ackChannel) {
            this.ackChannel = ackChannel;
        }

        /** As {@link #read(int, Position)} up to the end of the spool. */
        Batch read(int softLimitBytes) throws IOException {
            return read(softLimitBytes, null);
        }

        /** Reads whole records from the read position, not past {@code until}, and advances the read position past them. */
        Batch read(int softLimitBytes, Position until) throws IOException {
            synchronized (Spool.this) {
                Batch batch = readFrom(readPosition, until, softLimitBytes);
                readPosition = batch.end();
                return batch;
            }
        }

        Position readPosition() {
            synchronized (Spool.this) {
                return readPosition;
            }
        }

        boolean hasUnread() {
            return hasData(readPosition(), null);
        }

        /** Makes everything before {@code position} durably acknowledged and deletes segments every cursor has passed. */
        void acknowledge(Position position) throws IOException {
            synchronized (Spool.this) {
                Position normalized = normalize(position);
                if (!normalized.isAfter(acknowledged)) {
                    return;
                }
                acknowledged = normalized;
                if (acknowledged.isAfter(readPosition)) {
                    readPosition = acknowledged;
                }
                writeAck();
                deleteSegmentsBefore(cursors.stream().mapToLong(cursor -> cursor.acknowledged.segment).min().orElseThrow());
            }
        }

        /** Forgets what was read but not acknowledged: it will be read again. */
        void rewind() {
            synchronized (Spool.this) {
                readPosition = acknowledged;
            }
        }

        /** Bytes of records not yet acknowledged. */
        long pendingBytes() {
            synchronized (Spool.this) {
                long pending = 0;
                for (Segment segment : segments.tailMap(acknowledged.segment, true).values()) {
                    long from = segment.id == acknowledged.segment ? acknowledged.offset : MAGIC.length;
                    pending += Math.max(0, segment.size - from);
                }
                return pending;
            }
        }

        /**
         * Records up to {@code position} are acknowledged by the peer's TCP and wait out the sender's
         * confirmation window: in memory only, for {@link #oldestPendingEpochSeconds()}; null clears it.
         */
        void acknowledgedUnconfirmed(Position position) {
            synchronized (Spool.this) {
                unconfirmed = position;
            }
        }

        /**
         * The oldest timestamp in the first record the peer's TCP has not acknowledged (confirmed or
         * still in the confirmation window), or -1 when there is none.
         */
        long oldestPendingEpochSeconds() throws IOException {
            synchronized (Spool.this) {
                Position position = normalize(unconfirmed != null && unconfirmed.isAfter(acknowledged) ? unconfirmed : acknowledged);
                Segment segment = segmentAt(position);
                if (segment == null || position.offset >= segment.size) {
                    return -1;
                }
                ByteBuffer prefix = ByteBuffer.allocate(RECORD_HEADER_BYTES + BODY_PREFIX_BYTES);
                readFully(segment.channel, prefix, position.offset);
                return prefix.getLong(RECORD_HEADER_BYTES + 4);
            }
        }

        Position acknowledgedPosition() {
            synchronized (Spool.this) {
                return acknowledged;
            }
        }

        /** Datapoints this cursor had not acknowledged when the size limit dropped them, since the last call. */
        long takeDropped() {
            synchronized (Spool.this) {
                long taken = dropped;
                dropped = 0;
                return taken;
            }
        }

        private void load() throws IOException {
            Position stored = readAck();
            Segment first = segments.firstEntry().getValue();
            Position start = new Position(first.id, MAGIC.length);
            acknowledged = stored == null || start.isAfter(stored) ? start : clampToEnd(stored);
            readPosition = acknowledged;
        }

        /** Moves past the dropped {@code oldest} segment, counting what was not acknowledged in it. */
        private void dropped(Segment oldest) throws IOException {
            long from = oldest.id == acknowledged.segment ? acknowledged.offset
                    : oldest.id > acknowledged.segment ? MAGIC.length : oldest.size;
            dropped += countDatapoints(oldest, from);
            Position next = new Position(segments.higherKey(oldest.id), MAGIC.length);
            if (next.isAfter(acknowledged)) {
                acknowledged = next;
                writeAck();
            }
            if (next.isAfter(readPosition)) {
                readPosition = next;
            }
        }

        // two slots {u64 sequence, u64 segment, u64 offset, u32 crc32c}

        private Position readAck() throws IOException {
            Position best = null;
            long bestSequence = -1;
            for (int slot = 0; slot < 2; slot++) {
                ByteBuffer buffer = ByteBuffer.allocate(ACK_SLOT_BYTES);
                if (readAvailable(ackChannel, buffer, (long) slot * ACK_SLOT_BYTES) < ACK_SLOT_BYTES) {
                    continue;
                }
                CRC32C crc = new CRC32C();
                crc.update(buffer.array(), 0, 24);
                long sequence = buffer.getLong(0);
                if ((int) crc.getValue() == buffer.getInt(24) && sequence > bestSequence) {
                    bestSequence = sequence;
                    best = new Position(buffer.getLong(8), buffer.getLong(16));
                }
            }
            ackSequence = Math.max(0, bestSequence);
            return best;
        }

        private void writeAck() throws IOException {
            ackSequence++;
            ByteBuffer buffer = ByteBuffer.allocate(ACK_SLOT_BYTES);
            buffer.putLong(0, ackSequence).putLong(8, acknowledged.segment).putLong(16, acknowledged.offset);
            CRC32C crc = new CRC32C();
            crc.update(buffer.array(), 0, 24);
            buffer.putInt(24, (int) crc.getValue());
            writeFully(ackChannel, buffer, (ackSequence % 2) * ACK_SLOT_BYTES);
            ackChannel.force(false);
        }
    }

    synchronized long corruptRecords() {
        return corruptRecords;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Total bytes of the segment files. */
    synchronized long diskBytes() {
        return segments.values().stream().mapToLong(segment -> segment.size).sum();
    }

    @Override
    public synchronized void close() throws IOException {
        IOException failure = null;
        for (Segment segment : segments.values()) {
            failure = closeQuietly(segment.channel, failure);
        }
        segments.clear();
        for (Cursor cursor : cursors) {
            failure = closeQuietly(cursor.ackChannel, failure);
        }
        if (lock.isValid()) {
            lock.release();
        }
        failure = closeQuietly(lockChannel, failure);
        if (failure != null) {
            throw failure;
        }
    }

    // ---- opening

    private static void prepareDirectory(Path dir) throws IOException {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.createDirectory(dir, DIR_MODE);
            return;
        }
        if (attributes.isSymbolicLink()) {
            throw new IOException("spool directory " + dir + " is a symbolic link; refusing to follow it");
        }
        if (!attributes.isDirectory()) {
            throw new IOException("spool path " + dir + " exists and is not a directory");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        long self = new com.sun.security.auth.module.UnixSystem().getUid();
        if (owner != self) {
            throw new IOException("spool directory " + dir + " is owned by uid " + owner + ", not by this user (uid " + self + ")");
        }
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("spool directory " + dir + " is writable by other users ("
                    + PosixFilePermissions.toString(permissions) + "); make it 0700");
        }
    }

    private static FileChannel openFile(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> all = new java.util.HashSet<>(List.of(options));
        all.add(LinkOption.NOFOLLOW_LINKS);
        try {
            return FileChannel.open(file, all, FILE_MODE);
        } catch (IOException e) {
            if (Files.isSymbolicLink(file)) {
                throw new IOException("spool file " + file + " is a symbolic link; refusing to follow it", e);
            }
            throw e;
        }
    }

    private void load() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Matcher name = SEGMENT_NAME.matcher(entry.getFileName().toString());
                if (name.matches()) {
                    long id = Long.parseLong(name.group(1));
                    FileChannel channel = openFile(entry, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    segments.put(id, new Segment(id, channel, channel.size()));
                }
            }
        }
        if (segments.isEmpty()) {
            long next = 0;
            for (Cursor cursor : cursors) {
                Position stored = cursor.readAck();
                next = stored == null ? next : Math.max(next, stored.segment + 1);
            }
            createSegment(next);
        }
        for (Segment segment : segments.values()) {
            if (segment != segments.lastEntry().getValue()) {
                checkMagic(segment);
            }
        }
        repairTail(segments.lastEntry().getValue());
        for (Cursor cursor : cursors) {
            cursor.load();
        }
        deleteSegmentsBefore(cursors.stream().mapToLong(cursor -> cursor.acknowledged.segment).min().orElseThrow());
    }

    private Position clampToEnd(Position stored) {
        Segment last = segments.lastEntry().getValue();
        Position end = new Position(last.id, last.size);
        if (stored.isAfter(end)) {
            return end;
        }
        Segment segment = segments.get(stored.segment);
        if (segment == null) {
            Map.Entry<Long, Segment> next = segments.higherEntry(stored.segment);
            return new Position(next.getKey(), MAGIC.length);
        }
        return new Position(segment.id, Math.min(Math.max(stored.offset, MAGIC.length), segment.size));
    }

    private void checkMagic(Segment segment) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
        if (segment.size < MAGIC.length || readAvailable(segment.channel, magic, 0) < MAGIC.length
                || !magic.flip().equals(ByteBuffer.wrap(MAGIC))) {
            throw new IOException(segmentPath(segment.id) + " is not a gleaner spool segment");
        }
    }

    /** Cuts the newest segment after its last whole, checksummed record (a crash can tear only that one). */
    private void repairTail(Segment segment) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
        if (segment.size < MAGIC.length || readAvailable(segment.channel, magic, 0) < MAGIC.length) {
            // created but its magic never became durable: start it afresh
            segment.channel.truncate(0);
            writeFully(segment.channel, ByteBuffer.wrap(MAGIC), 0);
            segment.channel.force(true);
            segment.size = MAGIC.length;
            return;
        }
        checkMagic(segment);
        long offset = MAGIC.length;
        while (offset < segment.size) {
            long end = readRecord(segment, offset, null);
            if (end < 0) {
                LOG.warn("spool segment {}: cutting a torn or corrupt record at byte {} ({} bytes after it)",
                        segmentPath(segment.id), offset, segment.size - offset);
                segment.channel.truncate(offset);
                segment.channel.force(true);
                segment.size = offset;
                break;
            }
            offset = end;
        }
    }

    // ---- records

    private static ByteBuffer encode(List<Datapoint> cycle) {
        byte[][] paths = new byte[cycle.size()][];
        long bodyBytes = BODY_PREFIX_BYTES;
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < paths.length; i++) {
            Datapoint datapoint = cycle.get(i);
            paths[i] = datapoint.path().getBytes(StandardCharsets.UTF_8);
            if (paths[i].length == 0 || paths[i].length > 0xFFFF) {
                throw new IllegalArgumentException("datapoint path must be 1 to 65535 bytes long: " + datapoint.path());
            }
            bodyBytes += ENTRY_FIXED_BYTES + paths[i].length;
            oldest = Math.min(oldest, datapoint.epochSeconds());
        }
        if (bodyBytes > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("one cycle of " + cycle.size() + " datapoints is over "
                    + (MAX_RECORD_BYTES >> 20) + " MiB; submit it in parts");
        }
        ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_BYTES + (int) bodyBytes);
        record.position(RECORD_HEADER_BYTES);
        record.putInt(cycle.size()).putLong(oldest);
        for (int i = 0; i < paths.length; i++) {
            Datapoint datapoint = cycle.get(i);
            record.putShort((short) paths[i].length).put(paths[i]).putDouble(datapoint.value()).putLong(datapoint.epochSeconds());
        }
        CRC32C crc = new CRC32C();
        crc.update(record.array(), RECORD_HEADER_BYTES, (int) bodyBytes);
        record.putInt(0, (int) bodyBytes).putInt(4, (int) crc.getValue());
        return record.rewind();
    }

    /**
     * Checks the record at {@code offset} and, when {@code into} is given, decodes its datapoints into
     * it. Returns the offset after the record, or -1 when it is torn or corrupt.
     */
    private static long readRecord(Segment segment, long offset, List<Datapoint> into) throws IOException {
        if (segment.size - offset < RECORD_HEADER_BYTES + BODY_PREFIX_BYTES) {
            return -1;
        }
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
        readFully(segment.channel, header, offset);
        int bodyBytes = header.getInt(0);
        if (bodyBytes < BODY_PREFIX_BYTES || bodyBytes > MAX_RECORD_BYTES
                || bodyBytes > segment.size - offset - RECORD_HEADER_BYTES) {
            return -1;
        }
        ByteBuffer body = ByteBuffer.allocate(bodyBytes);
        readFully(segment.channel, body, offset + RECORD_HEADER_BYTES);
        CRC32C crc = new CRC32C();
        crc.update(body.array(), 0, bodyBytes);
        if ((int) crc.getValue() != header.getInt(4)) {
            return -1;
        }
        if (into != null && !decode(body, into)) {
            return -1;
        }
        return offset + RECORD_HEADER_BYTES + bodyBytes;
    }

    private static boolean decode(ByteBuffer body, List<Datapoint> into) {
        int start = into.size();
        try {
            int count = body.getInt(0);
            body.position(BODY_PREFIX_BYTES);
            for (int i = 0; i < count; i++) {
                int pathBytes = Short.toUnsignedInt(body.getShort());
                String path = new String(body.array(), body.position(), pathBytes, StandardCharsets.UTF_8);
                body.position(body.position() + pathBytes);
                into.add(new Datapoint(path, body.getDouble(), body.getLong()));
            }
            return !body.hasRemaining();
        } catch (RuntimeException e) {
            // a checksummed record that does not decode was not written by this code
            into.subList(start, into.size()).clear();
            return false;
        }
    }

    /** Datapoints in the segment's records at or after {@code offset}. */
    private static long countDatapoints(Segment segment, long offset) throws IOException {
        long count = 0;
        ByteBuffer prefix = ByteBuffer.allocate(RECORD_HEADER_BYTES + BODY_PREFIX_BYTES);
        while (segment.size - offset >= prefix.capacity()) {
            prefix.clear();
            readFully(segment.channel, prefix, offset);
            int bodyBytes = prefix.getInt(0);
            if (bodyBytes < BODY_PREFIX_BYTES) {
                break;
            }
            count += prefix.getInt(RECORD_HEADER_BYTES);
            offset += RECORD_HEADER_BYTES + (long) bodyBytes;
        }
        return count;
    }

    // ---- segments

    /** The same place, moved forward past dropped segments and past the end of finished ones. */
    private Position normalize(Position position) {
        Position at = position;
        while (true) {
            Segment segment = segments.get(at.segment);
            Map.Entry<Long, Segment> next = segments.higherEntry(at.segment);
            if (next == null) {
                return at;
            }
            if (segment != null && at.offset < segment.size) {
                return at;
            }
            at = new Position(next.getKey(), MAGIC.length);
        }
    }

    /** The segment holding {@code position} (normalized), or null when there is none. */
    private Segment segmentAt(Position position) {
        return segments.get(position.segment);
    }

    private Segment createSegment(long id) throws IOException {
        Path file = segmentPath(id);
        FileChannel channel;
        try {
            channel = openFile(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("spool segment " + file + " already exists (planted or left by another process); refusing it", e);
        }
        writeFully(channel, ByteBuffer.wrap(MAGIC), 0);
        channel.force(true);
        syncDirectory();
        Segment segment = new Segment(id, channel, MAGIC.length);
        segments.put(id, segment);
        return segment;
    }

    private void dropOverLimit() throws IOException {
        while (segments.size() > 1 && diskBytes() > maxBytes) {
            Segment oldest = segments.firstEntry().getValue();
            for (Cursor cursor : cursors) {
                cursor.dropped(oldest);
            }
            deleteSegment(oldest);
        }
    }

    private void deleteSegmentsBefore(long segmentId) throws IOException {
        while (segments.firstKey() < segmentId) {
            deleteSegment(segments.firstEntry().getValue());
        }
    }

    private void deleteSegment(Segment segment) throws IOException {
        segments.remove(segment.id);
        segment.channel.close();
        Files.deleteIfExists(segmentPath(segment.id));
    }

    private Path segmentPath(long id) {
        return dir.resolve(String.format("segment-%020d.spool", id));
    }

    private void syncDirectory() throws IOException {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    // ---- positional I/O

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        if (readAvailable(channel, buffer, position) < buffer.capacity()) {
            throw new EOFException("spool file shorter than expected");
        }
    }

    private static int readAvailable(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                break;
            }
            at += read;
        }
        return buffer.position();
    }

    private static IOException closeQuietly(FileChannel channel, IOException failure) {
        try {
            channel.close();
            return failure;
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
                return failure;
            }
            return e;
        }
    }
}
