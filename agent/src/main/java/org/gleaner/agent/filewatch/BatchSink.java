package org.gleaner.agent.filewatch;

import java.io.IOException;

/** Where debounced batches go: lines on a pipe, or a command run per batch. */
public interface BatchSink {

    /** Delivers one batch; an IOException means the reader went away. */
    void deliver(ChangeBatcher.Batch batch) throws IOException, InterruptedException;
}
