package org.gleaner.collectors.fanotify;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * Decodes the bytes of a read(2) on a fanotify descriptor (fanotify(7)). Every field is read at an
 * explicit offset: struct file_handle sits 12 bytes into a FID info record, so nothing here may assume
 * the natural alignment of a C structure.
 *
 * <pre>
 * fanotify_event_metadata (24 bytes): u32 event_len @0, u8 vers @4, u8 reserved @5, u16 metadata_len @6,
 *                                     u64 mask @8, s32 fd @16, s32 pid @20
 * info record header:                 u8 info_type @0, u8 pad @1, u16 len @2
 * FID-type record:                    fsid (2 x s32) @4, u32 handle_bytes @12, s32 handle_type @16,
 *                                     handle bytes @20, then for *_NAME types a NUL-terminated name
 * </pre>
 */
public final class EventRecords {
    public static final int METADATA_LENGTH = 24;
    public static final int METADATA_VERSION = 3;

    static final int INFO_FID = 1;
    static final int INFO_DFID_NAME = 2;
    static final int INFO_DFID = 3;

    private static final int INFO_HEADER_LENGTH = 4;
    private static final int FID_HANDLE_OFFSET = 12;
    private static final int HANDLE_HEADER_LENGTH = 8;

    private EventRecords() {}

    /**
     * Passes each event in {@code buffer[0, length)} to {@code sink}, in order. Info records of types
     * this layer does not use (PIDFD, ERROR, OLD/NEW_DFID_NAME of FAN_RENAME) are skipped by their length.
     *
     * @throws MalformedEventException at the first record that is truncated or inconsistent; the events
     *                                 before it have been delivered
     */
    public static void parse(ByteBuffer buffer, int length, Consumer<RawEvent> sink) {
        if (length > buffer.capacity()) {
            throw new IllegalArgumentException("length " + length + " exceeds buffer capacity " + buffer.capacity());
        }
        ByteBuffer bytes = buffer.duplicate().order(ByteOrder.nativeOrder());
        int offset = 0;
        while (offset < length) {
            int remaining = length - offset;
            if (remaining < METADATA_LENGTH) {
                throw malformed(offset, "truncated event metadata (" + remaining + " bytes left)");
            }
            long eventLength = Integer.toUnsignedLong(bytes.getInt(offset));
            int version = Byte.toUnsignedInt(bytes.get(offset + 4));
            int metadataLength = Short.toUnsignedInt(bytes.getShort(offset + 6));
            if (version != METADATA_VERSION) {
                throw malformed(offset, "metadata version " + version + ", expected " + METADATA_VERSION);
            }
            if (metadataLength < METADATA_LENGTH || eventLength < metadataLength || eventLength > remaining) {
                throw malformed(offset, "event_len " + eventLength + " / metadata_len " + metadataLength
                        + " inconsistent with " + remaining + " bytes left");
            }
            int end = offset + (int) eventLength;
            sink.accept(event(bytes, offset, metadataLength, end));
            offset = end;
        }
    }

    private static RawEvent event(ByteBuffer bytes, int offset, int metadataLength, int end) {
        long mask = bytes.getLong(offset + 8);
        int fd = bytes.getInt(offset + 16);
        int pid = bytes.getInt(offset + 20);
        FileHandle object = null;
        FileHandle directory = null;
        byte[] name = null;
        int record = offset + metadataLength;
        while (record < end) {
            if (end - record < INFO_HEADER_LENGTH) {
                throw malformed(record, "truncated info record header");
            }
            int type = Byte.toUnsignedInt(bytes.get(record));
            int recordLength = Short.toUnsignedInt(bytes.getShort(record + 2));
            if (recordLength < INFO_HEADER_LENGTH || recordLength > end - record) {
                throw malformed(record, "info record length " + recordLength + " with " + (end - record)
                        + " bytes left in the event");
            }
            int recordEnd = record + recordLength;
            switch (type) {
                case INFO_FID -> object = handle(bytes, record, recordEnd);
                case INFO_DFID -> directory = handle(bytes, record, recordEnd);
                case INFO_DFID_NAME -> {
                    directory = handle(bytes, record, recordEnd);
                    name = name(bytes, nameOffset(bytes, record), recordEnd);
                }
                default -> { }
            }
            record = recordEnd;
        }
        return new RawEvent(mask, fd, pid, object, directory, name);
    }

    private static FileHandle handle(ByteBuffer bytes, int record, int recordEnd) {
        int handleStart = record + FID_HANDLE_OFFSET;
        if (recordEnd - handleStart < HANDLE_HEADER_LENGTH) {
            throw malformed(record, "FID record too short for a file handle");
        }
        long fsid = FileHandle.fsid(bytes.getInt(record + 4), bytes.getInt(record + 8));
        long handleBytes = Integer.toUnsignedLong(bytes.getInt(handleStart));
        int handleType = bytes.getInt(handleStart + 4);
        if (handleBytes > recordEnd - handleStart - HANDLE_HEADER_LENGTH) {
            throw malformed(record, "handle_bytes " + handleBytes + " overruns its info record");
        }
        byte[] handle = new byte[(int) handleBytes];
        bytes.get(handleStart + HANDLE_HEADER_LENGTH, handle);
        return new FileHandle(fsid, handleType, handle);
    }

    private static int nameOffset(ByteBuffer bytes, int record) {
        return record + FID_HANDLE_OFFSET + HANDLE_HEADER_LENGTH + bytes.getInt(record + FID_HANDLE_OFFSET);
    }

    /** The entry name's bytes, as they are: file names are bytes, not text. */
    private static byte[] name(ByteBuffer bytes, int start, int recordEnd) {
        for (int i = start; i < recordEnd; i++) {
            if (bytes.get(i) == 0) {
                byte[] name = new byte[i - start];
                bytes.get(start, name);
                return name;
            }
        }
        throw malformed(start, "entry name without its terminating NUL");
    }

    private static MalformedEventException malformed(int offset, String what) {
        return new MalformedEventException("malformed fanotify event at byte " + offset + ": " + what);
    }
}
