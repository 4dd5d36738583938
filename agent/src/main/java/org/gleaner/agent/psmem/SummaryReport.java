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
    private static final int COLUMN = 11;

    private final Appendable out;

    public SummaryReport(Appendable out) {
        this.out = out;
    }

    public void write(List<MemoryGroup> groups) throws IOException {
        List<MemoryGroup> sorted = new ArrayList<>(groups);
        sorted.sort(Comparator.comparingLong((MemoryGroup group) -> ramUsed(group.usage())).thenComparing(MemoryGroup::name));
        out.append(columns("Private", " + ", "Shared", " = ", "RAM used", "Swap").append("  Program\n\n"));
        long ram = 0;
        long swap = 0;
        for (MemoryGroup group : sorted) {
            MemoryUsage usage = group.usage();
            ram += ramUsed(usage);
            swap += usage.swap();
            out.append(columns(Text.size(usage.privateBytes()), " + ", Text.size(usage.proportionalShared()), " = ",
                    Text.size(ramUsed(usage)), Text.size(usage.swap()))
                    .append("  ").append(Text.name(group.name())).append(" (").append(group.processes().size()).append(")\n"));
        }
        out.append(RULE);
        out.append(columns("", "   ", "", "   ", Text.size(ram), Text.size(swap)).append('\n'));
        out.append("=".repeat(60)).append('\n');
    }

    /**
     * "PRIVATE + SHARED = RAM  SWAP", each right-aligned in 11 columns. Padded by hand: String.format
     * costs a short-lived ps-mem its Formatter's first-use set-up.
     */
    private static StringBuilder columns(String privateText, String plus, String sharedText, String equals,
                                         String ramText, String swapText) {
        StringBuilder line = new StringBuilder(80);
        rightAligned(line, privateText).append(plus);
        rightAligned(line, sharedText).append(equals);
        rightAligned(line, ramText).append("  ");
        return rightAligned(line, swapText);
    }

    private static StringBuilder rightAligned(StringBuilder line, String text) {
        for (int i = text.length(); i < COLUMN; i++) {
            line.append(' ');
        }
        return line.append(text);
    }

    private static long ramUsed(MemoryUsage usage) {
        return usage.privateBytes() + usage.proportionalShared();
    }
}
