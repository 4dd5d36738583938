package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
        int limit;
        try {
            // Not Files.readString/readAllBytes: on a zero-size /proc/sys file JDK 17 reads one byte
            // first, and the sysctl then answers EOF at offset 1, so they return "1" for 16384.
            limit = Integer.parseInt(Files.readAllLines(LIMIT).get(0).trim());
        } catch (IOException | NumberFormatException | IndexOutOfBoundsException e) {
            throw new AssertionError("cannot read " + LIMIT + ": " + e.getMessage(), e);
        }
        Requirements.require(limit >= USABLE, LIMIT + " is " + limit + " (default 16384): with a queue that"
                + " small events are lost; something lowered it and did not restore it");
        return limit;
    }
}
