package org.gleaner.collectors.smaps;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Groups processes by command, and knows which groups map each file. Works the same on processes
 * read from smaps (one entry per mapping) and from smaps_rollup (one {@code [rollup]} entry each,
 * so a group's shared memory is then its largest process's).
 */
public final class MemoryGroups {
    /**
     * A file as the kernel identifies it, whatever path it was mapped by. equals and hashCode are
     * written out: a record's generated ones are bootstrapped through invokedynamic on first use,
     * which costs a short-lived tool like ps-mem tens of milliseconds.
     */
    public record FileId(long device, long inode) {
        @Override
        public boolean equals(Object other) {
            return other instanceof FileId file && file.device == device && file.inode == inode;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(device * 31 + inode);
        }
    }

    private final List<MemoryGroup> groups;
    private final Map<FileId, TreeSet<String>> groupsByFile;

    private MemoryGroups(List<MemoryGroup> groups, Map<FileId, TreeSet<String>> groupsByFile) {
        this.groups = groups;
        this.groupsByFile = groupsByFile;
    }

    public static MemoryGroups of(List<ProcessMemory> processes) {
        Map<FileId, TreeSet<String>> groupsByFile = new HashMap<>();
        for (ProcessMemory process : processes) {
            for (MappingMemory mapping : process.mappings()) {
                if (mapping.fileBacked()) {
                    groupsByFile.computeIfAbsent(new FileId(mapping.device(), mapping.inode()), k -> new TreeSet<>())
                            .add(process.command());
                }
            }
        }
        return new MemoryGroups(groupsOf(processes), groupsByFile);
    }

    /** The groups alone, by name, without the index of shared files that {@link #sharedWith} needs. */
    public static List<MemoryGroup> groupsOf(List<ProcessMemory> processes) {
        Map<String, List<ProcessMemory>> byCommand = new TreeMap<>();
        for (ProcessMemory process : processes) {
            byCommand.computeIfAbsent(process.command(), k -> new ArrayList<>()).add(process);
        }
        List<MemoryGroup> groups = new ArrayList<>(byCommand.size());
        byCommand.forEach((command, members) -> groups.add(new MemoryGroup(command, List.copyOf(members), sum(members))));
        return List.copyOf(groups);
    }

    /** The groups, by name. */
    public List<MemoryGroup> groups() {
        return groups;
    }

    /** The groups other than {@code group} that map the same file as {@code mapping}, by name. */
    public List<String> sharedWith(MappingMemory mapping, String group) {
        if (!mapping.fileBacked()) {
            return List.of();
        }
        TreeSet<String> names = groupsByFile.get(new FileId(mapping.device(), mapping.inode()));
        if (names == null) {
            return List.of();
        }
        List<String> others = new ArrayList<>(names.size());
        for (String name : names) {
            if (!name.equals(group)) {
                others.add(name);
            }
        }
        return others;
    }

    /** What a set of processes uses together, counting each shared mapping once. */
    public static MemoryUsage sum(List<ProcessMemory> processes) {
        Map<Object, MemoryUsage> byMapping = new HashMap<>();
        for (ProcessMemory process : processes) {
            for (MappingMemory mapping : process.mappings()) {
                Object key = mapping.fileBacked() ? new FileId(mapping.device(), mapping.inode()) : mapping.name();
                byMapping.merge(key, mapping.usage(), MemoryUsage::sameMappingInAnotherProcess);
            }
        }
        MemoryUsage total = MemoryUsage.ZERO;
        for (MemoryUsage usage : byMapping.values()) {
            total = total.plus(usage);
        }
        return total;
    }
}
