package org.gleaner.collectors.fanotify;

/** A fanotify read buffer that does not hold whole, well-formed event records. */
public final class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }
}
