package org.gleaner.collectors.fanotify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Lowers /proc/sys/fs/fanotify/max_queued_events just while a fanotify group is created (the limit
 * is copied into each group at fanotify_init), then restores it, so other users of the machine are
 * affected for milliseconds only.
 */
final class QueueLimit {
    private static final Path LIMIT = Path.of("/proc/sys/fs/fanotify/max_queued_events");

    private QueueLimit() {}

    static synchronized <T> T whileCreating(int limit, Supplier<T> create) throws IOException {
        String original = Files.readAllLines(LIMIT).get(0).trim(); // readString gives "1" for this zero-size /proc file
        try {
            Files.writeString(LIMIT, Integer.toString(limit));
            return create.get();
        } finally {
            Files.writeString(LIMIT, original);
        }
    }
}
