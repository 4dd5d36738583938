package org.gleaner.collectors.smaps;

/** Receives the entries of an smaps or smaps_rollup file, one call per mapping, in file order. */
@FunctionalInterface
public interface SmapsHandler {
    /**
     * One mapping. {@code name} holds {@code nameLength} bytes of its path or pseudo-name ({@code [heap]},
     * {@code [rollup]}; empty for anonymous memory). The arrays are reused after the call returns.
     *
     * @param device major in the high 32 bits, minor in the low 32 (0 for anonymous memory)
     */
    void mapping(long device, long inode, byte[] name, int nameLength, SmapsCounters counters);
}
