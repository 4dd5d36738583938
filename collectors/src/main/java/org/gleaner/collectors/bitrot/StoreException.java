package org.gleaner.collectors.bitrot;

/** The scrubber's database cannot be used: missing, not ours, damaged, locked, or not writable. One line. */
public final class StoreException extends Exception {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
