package org.gleaner.agent.pipeline;

/**
 * One Graphite datapoint, ready to send: {@code path} is already escaped and dotted
 * (no whitespace or control characters), the timestamp is when the value was read.
 */
public record Datapoint(String path, double value, long epochSeconds) {}
