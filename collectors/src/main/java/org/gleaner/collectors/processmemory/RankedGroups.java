package org.gleaner.collectors.processmemory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.gleaner.collectors.smaps.MemoryGroup;
import org.gleaner.collectors.smaps.ProcessMemory;

/**
 * Groups ranked by Pss, largest first (equal Pss by name, so the choice is stable), split after the
 * first {@code top}: those are reported one by one, the rest together.
 */
record RankedGroups(List<MemoryGroup> top, List<MemoryGroup> rest) {
    private static final Comparator<MemoryGroup> LARGEST_PSS_FIRST =
            Comparator.comparingLong((MemoryGroup group) -> group.usage().pss()).reversed()
                    .thenComparing(MemoryGroup::name);

    static RankedGroups of(List<MemoryGroup> groups, int top) {
        List<MemoryGroup> ranked = new ArrayList<>(groups);
        ranked.sort(LARGEST_PSS_FIRST);
        int split = Math.min(top, ranked.size());
        return new RankedGroups(List.copyOf(ranked.subList(0, split)), List.copyOf(ranked.subList(split, ranked.size())));
    }

    /** The processes of the groups not in the top. */
    List<ProcessMemory> restProcesses() {
        List<ProcessMemory> processes = new ArrayList<>();
        for (MemoryGroup group : rest) {
            processes.addAll(group.processes());
        }
        return processes;
    }
}
