package org.gleaner.agent.cli;

/** A bad argument or config that is only found while running: printed as one line, exit 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
