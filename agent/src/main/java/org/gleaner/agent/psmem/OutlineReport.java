package org.gleaner.agent.psmem;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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

    public OutlineReport(Appendable out, boolean flat) {
        this.out = out;
        this.flat = flat;
    }

    public void write(List<MemoryGroup> groups, MemoryGroups all, PsMemQuery query) throws IOException {
        for (MemoryGroup group : groups) {
            enter(Text.component(group.name()));
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
                        mapping(mapping, all.sharedWith(mapping, group.name()));
                    }
                }
                exit();
            }
            exit();
        }
    }

    private void mapping(MappingMemory mapping, List<String> sharedWith) throws IOException {
        enter(Text.component(mapping.name()));
        if (!sharedWith.isEmpty()) {
            StringBuilder names = new StringBuilder();
            int shown = Math.min(SHARED_WITH_SHOWN, sharedWith.size());
            for (int i = 0; i < shown; i++) {
                names.append(i > 0 ? ", " : "").append(Text.word(sharedWith.get(i)));
            }
            if (shown < sharedWith.size()) {
                names.append(", ...");
            }
            value("-shared-with", names.toString());
        }
        usage(mapping.usage());
        exit();
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
