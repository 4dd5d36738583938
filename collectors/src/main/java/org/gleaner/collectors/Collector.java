package org.gleaner.collectors;

/**
 * One source of datapoints, run by the agent once per cycle on its own thread with a deadline.
 * Implementations read the kernel and report what they read to the sink; naming below the
 * collector's own prefix, rates, escaping and delivery belong to the agent.
 */
public interface Collector extends AutoCloseable {

    /** Reads once and reports every value to {@code sink}. May be abandoned (interrupted) on overrun. */
    void collect(MetricSink sink) throws Exception;

    /** Releases sockets, file descriptors and threads. */
    @Override
    default void close() throws Exception {}
}
