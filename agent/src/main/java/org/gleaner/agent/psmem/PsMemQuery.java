package org.gleaner.agent.psmem;

import java.util.ArrayList;
import java.util.List;
import org.gleaner.collectors.smaps.MemoryGroup;
import org.gleaner.collectors.smaps.MemoryGroups;
import org.gleaner.collectors.smaps.MemoryUsage;
import org.gleaner.collectors.smaps.ProcessMemory;

/**
 * What to show: groups, processes and mappings whose tracked figure is above {@code minBytes}
 * (every one when it is negative), of processes whose command, executable or command line holds
 * {@code name} (all when null).
 */
public record PsMemQuery(Tracked tracked, long minBytes, String name) {

    public boolean shows(MemoryUsage usage) {
        return minBytes < 0 || tracked.of(usage) > minBytes;
    }

    /** The groups to show, each made of its matching processes only. */
    public List<MemoryGroup> select(MemoryGroups all) {
        List<MemoryGroup> shown = new ArrayList<>();
        for (MemoryGroup group : all.groups()) {
            List<ProcessMemory> matching = name == null ? group.processes()
                    : group.processes().stream().filter(this::matches).toList();
            if (matching.isEmpty()) {
                continue;
            }
            MemoryUsage usage = matching.size() == group.processes().size() ? group.usage() : MemoryGroups.sum(matching);
            if (shows(usage)) {
                shown.add(new MemoryGroup(group.name(), matching, usage));
            }
        }
        return shown;
    }

    /** Whether the name (if any) matches at least one process, whatever the threshold hides. */
    public boolean nameMatchesAny(MemoryGroups all) {
        return name == null || all.groups().stream().flatMap(group -> group.processes().stream()).anyMatch(this::matches);
    }

    private boolean matches(ProcessMemory process) {
        if (process.command().contains(name) || (process.exe() != null && process.exe().contains(name))) {
            return true;
        }
        return String.join(" ", process.cmdline()).contains(name);
    }
}
