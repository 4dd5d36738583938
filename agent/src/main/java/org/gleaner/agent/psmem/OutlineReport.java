package org.gleaner.agent.psmem;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gleaner.collectors.smaps.MappingMemory;
import org.gleaner.collectors.smaps.MemoryGroup;
import org.gleaner.collectors.smaps.MemoryGroups;
import org.gleaner.collectors.smaps.MemoryUsage;
import org.gleaner.collectors.smaps.ProcessMemory;

/**
 * The tree and flat outputs: group, then process, then mapping, each with private/shared/swap.
 * Tree indents each level by two spaces under "key:"; flat prints the whole path on every line,
 * sysctl-style ("agetty.7606.[stack].private: 24.0 KiB").
 */
public final class OutlineReport {
    /** Lists at most this many groups in -shared-with before "...". */
    static final int SHARED_WITH_SHOWN = 5;

    private final Appendable out;
    private final boolean flat;
    private final List<String> path = new ArrayList<>();
    /** Libraries recur in every process: their quoted names and -shared-with lists are made once. */
    private final Map<String, String> components = new HashMap<>();
    private final Map<MemoryGroups.FileId, String> sharedWithOfGroup = new HashMap<>();

    public OutlineReport(Appendable out, boolean flat) {
        this.out = out;
        this.flat = flat;
    }

    public void write(List<MemoryGroup> groups, MemoryGroups all, PsMemQuery query) throws IOException {
        for (MemoryGroup group : groups) {
            sharedWithOfGroup.clear();
            enter(Text.name(group.name()));
            stats(group.usage());
            for (ProcessMemory process : group.processes()) {
                if (!query.shows(process.usage())) {
                    continue;
                }
                enter(Integer.toString(process.pid()));
                stats(process.usage());
                value("-cmdline", process.cmdline().isEmpty() ? Text.quoted(process.comm()) : Text.words(process.cmdline()));
                for (MappingMemory mapping : process.mappings()) {
                    if (query.shows(mapping.usage())) {
                        mapping(mapping, sharedWith(all, mapping, group.name()));
                    }
                }
                exit();
            }
            exit();
        }
    }

    private void mapping(MappingMemory mapping, String sharedWith) throws IOException {
        enter(components.computeIfAbsent(mapping.name(), Text::name));
        if (!sharedWith.isEmpty()) {
            value("-shared-with", sharedWith);
        }
        usage(mapping.usage());
        exit();
    }

    /** The other groups mapping the same file, the first few by name, then "...". */
    private String sharedWith(MemoryGroups all, MappingMemory mapping, String group) {
        if (!mapping.fileBacked()) {
            return "";
        }
        return sharedWithOfGroup.computeIfAbsent(new MemoryGroups.FileId(mapping.device(), mapping.inode()), file -> {
            List<String> others = all.sharedWith(mapping, group);
            StringBuilder names = new StringBuilder();
            int shown = Math.min(SHARED_WITH_SHOWN, others.size());
            for (int i = 0; i < shown; i++) {
                names.append(i > 0 ? ", " : "").append(Text.name(others.get(i)));
            }
            if (shown < others.size()) {
                names.append(", ...");
            }
            return names.toString();
        });
    }

    private void stats(MemoryUsage usage) throws IOException {
        enter("-stats");
        usage(usage);
        exit();
    }

    private void usage(MemoryUsage usage) throws IOException {
        value("private", Text.size(usage.privateBytes()));
        value("shared", Text.size(usage.sharedBytes()));
        value("swap", Text.size(usage.swap()));
    }

    private void enter(String component) throws IOException {
        if (!flat) {
            indent();
            out.append(component).append(":\n");
        }
        path.add(component);
    }

    private void exit() {
        path.remove(path.size() - 1);
    }

    private void value(String key, String value) throws IOException {
        if (flat) {
            for (String component : path) {
                out.append(component).append('.');
            }
        } else {
            indent();
        }
        out.append(key).append(": ").append(value).append('\n');
    }

    private void indent() throws IOException {
        for (int i = 0; i < path.size(); i++) {
            out.append("  ");
        }
    }
}
