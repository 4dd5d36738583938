package org.gleaner.agent.pipeline;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the on-disk spool lives, how large it may grow before the oldest data is dropped, and how
 * old a datapoint may be and still be sent ({@link Duration#ZERO}: any age).
 */
public record SpoolSettings(Path dir, long maxBytes, Duration maxAge) {

    public SpoolSettings(Path dir, long maxBytes) {
        this(dir, maxBytes, Duration.ZERO);
    }
}
