package org.gleaner.collectors.smaps;

import java.util.List;

/**
 * The processes of one command and what they use together: private memory, swap and the
 * proportional shares add up over the processes, while a mapping they share counts once (the
 * largest figure any of them has for it). Three forks of one daemon thus show one copy of their
 * shared libraries, and the groups' Pss sums to the Pss of all processes.
 */
public record MemoryGroup(String name, List<ProcessMemory> processes, MemoryUsage usage) {}
