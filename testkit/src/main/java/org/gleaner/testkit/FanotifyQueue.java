package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The fanotify queue limit new groups get (/proc/sys/fs/fanotify/max_queued_events). Tests that count
 * events need a usable one: a test elsewhere that lowered it and has not restored it yet would make
 * them lose events for reasons of its own.
 */
public final class FanotifyQueue {
    public static final Path LIMIT = Path.of("/proc/sys/fs/fanotify/max_queued_events");
    private static final int USABLE = 1024;

    private FanotifyQueue() {}

    /** The current limit, after skipping (or, in strict mode, failing) the test if it is below 1024. */
    public static int requireUsableLimit() {
        int limit = current();
        Requirements.require(limit >= USABLE, LIMIT + " is " + limit + " (default 16384): with a queue that"
                + " small events are lost; something lowered it and did not restore it");
        return limit;
    }

    /**
     * Creates fanotify groups with a queue of {@code limit} events, restoring the machine's limit right
     * after: the kernel copies the limit into each group at fanotify_init, so the window is milliseconds.
     */
    public static synchronized <T> T whileCreating(int limit, Callable<T> create) throws Exception {
        int original = current();
        try {
            write(limit);
            return create.call();
        } finally {
            write(original);
        }
    }

    private static int current() {
        try {
            // Not Files.readString/readAllBytes: on a zero-size /proc/sys file JDK 17 reads one byte
            // first, and the sysctl then answers EOF at offset 1, so they return "1" for 16384.
            return Integer.parseInt(Files.readAllLines(LIMIT).get(0).trim());
        } catch (IOException | NumberFormatException | IndexOutOfBoundsException e) {
            throw new AssertionError("cannot read " + LIMIT + ": " + e.getMessage(), e);
        }
    }

    private static void write(int limit) throws IOException {
        Files.writeString(LIMIT, Integer.toString(limit));
    }
}
