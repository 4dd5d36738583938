package org.gleaner.collectors.fanotify;

import java.util.List;
import org.gleaner.collectors.text.BytePath;

/** Turns a raw event's fd or file handles into a path, and keeps whatever state that needs current. */
interface PathResolver {

    /** Whether {@link #afterEvent} needs the path of {@code event} even if nobody wants the event. */
    boolean tracks(RawEvent event);

    /**
     * The event's path: absolute, or relative (the bare entry name) when its directory no longer
     * exists, or null when the event is outside what is watched. Consumes the event's fd, if any.
     */
    BytePath resolve(RawEvent event);

    /** Releases what {@code event} holds (its fd) without resolving it. */
    void discard(RawEvent event);

    /** Updates the resolver's state after {@code event}; {@code path} is null if it was not resolved. */
    void afterEvent(RawEvent event, BytePath path);

    /**
     * Entries found already inside a directory that was created before it could be watched (tree
     * mode marks a new directory only once its create event is read), since the last call.
     */
    default List<Arrival> takeArrivals() {
        return List.of();
    }

    /** An entry that appeared without an event of its own. */
    record Arrival(BytePath path, boolean directory) {}

    /** Events were lost: anything derived from the event stream may be stale. */
    void afterOverflow();

    void close();

    static BytePath child(BytePath directory, byte[] name) {
        return directory.resolve(name);
    }
}
