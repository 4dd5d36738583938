package org.gleaner.agent.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Where each cycle's datapoints go: stdout, or the durable spool drained to carbon. */
public interface Delivery extends AutoCloseable {

    /** Accepts one cycle's datapoints; when it returns they are durable (or printed). */
    void submit(List<Datapoint> cycle) throws IOException;

    /** Stops accepting, tries to deliver what is pending for at most {@code drainLimit}, releases resources. */
    void close(Duration drainLimit);

    @Override
    default void close() {
        close(Duration.ZERO);
    }
}
