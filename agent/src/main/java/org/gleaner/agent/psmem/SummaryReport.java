package org.gleaner.agent.psmem;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.gleaner.collectors.smaps.MemoryGroup;
import org.gleaner.collectors.smaps.MemoryUsage;

/**
 * The ps_mem-style table: one line per group, smallest first, with Shared as the group's
 * proportional share of shared pages, so that Private + Shared = RAM used adds up to the RAM the
 * groups really use, as in the totals line.
 */
public final class SummaryReport {
    private static final String RULE = "-".repeat(60) + "\n";

    private final Appendable out;

    public SummaryReport(Appendable out) {
        this.out = out;
    }

    public void write(List<MemoryGroup> groups) throws IOException {
        List<MemoryGroup> sorted = new ArrayList<>(groups);
        sorted.sort(Comparator.comparingLong((MemoryGroup group) -> ramUsed(group.usage())).thenComparing(MemoryGroup::name));
        out.append(String.format("%11s + %11s = %11s  %11s  %s%n%n", "Private", "Shared", "RAM used", "Swap", "Program"));
        long ram = 0;
        long swap = 0;
        for (MemoryGroup group : sorted) {
            MemoryUsage usage = group.usage();
            ram += ramUsed(usage);
            swap += usage.swap();
            out.append(String.format("%11s + %11s = %11s  %11s  %s (%d)%n", Text.size(usage.privateBytes()),
                    Text.size(usage.proportionalShared()), Text.size(ramUsed(usage)), Text.size(usage.swap()),
                    Text.name(group.name()), group.processes().size()));
        }
        out.append(RULE);
        out.append(String.format("%11s   %11s   %11s  %11s%n", "", "", Text.size(ram), Text.size(swap)));
        out.append("=".repeat(60)).append('\n');
    }

    private static long ramUsed(MemoryUsage usage) {
        return usage.privateBytes() + usage.proportionalShared();
    }
}
