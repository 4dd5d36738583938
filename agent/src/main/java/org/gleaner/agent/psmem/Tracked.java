package org.gleaner.agent.psmem;

import org.gleaner.collectors.smaps.MemoryUsage;

/** The figure that -n compares against: all memory, private memory only, or swap only. */
public enum Tracked {
    ALL, PRIVATE, SWAP;

    public long of(MemoryUsage usage) {
        return switch (this) {
            case ALL -> usage.privateBytes() + usage.sharedBytes() + usage.swap();
            case PRIVATE -> usage.privateBytes();
            case SWAP -> usage.swap();
        };
    }
}
