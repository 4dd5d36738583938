package org.gleaner.collectors.fanotify;

/** Receives events from the fanotify reader thread, in the kernel's order. */
public interface FileEventListener {

    void onEvent(FileEvent event);

    /** The kernel's queue overflowed (FAN_Q_OVERFLOW): events were lost since the last one delivered. */
    void onOverflow();

    /**
     * The events of one read from the kernel have all been delivered: a good moment to flush output.
     * The reader may now block until more events arrive.
     */
    default void onBatchEnd() {}
}
