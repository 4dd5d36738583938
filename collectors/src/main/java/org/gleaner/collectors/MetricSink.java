package org.gleaner.collectors;

/**
 * Receives what a collector read. A path is a list of raw components (a unit, device or process
 * name may hold any byte); the agent escapes each component on its own, so a component can never
 * add a level. {@code readMillis} is when the value was read, not when it is sent.
 */
public interface MetricSink {

    /** A value that may go up and down (bytes in use, processes running). */
    void gauge(long readMillis, double value, String... path);

    /**
     * A monotonic counter as the kernel reports it (bytes written since boot). The agent turns it
     * into a per-second rate, or sends it raw, as configured.
     */
    void counter(long readMillis, long value, String... path);
}
