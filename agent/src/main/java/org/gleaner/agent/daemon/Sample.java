package org.gleaner.agent.daemon;

/** One value as a collector reported it: raw path components, read time, gauge or counter. */
record Sample(String[] path, boolean counter, long count, double gauge, long readMillis) {}
