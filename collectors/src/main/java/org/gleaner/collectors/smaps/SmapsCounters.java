package org.gleaner.collectors.smaps;

/** The fields of one smaps entry that gleaner uses, in bytes, as the parser fills them in; reused. */
public final class SmapsCounters {
    long rss;
    long pss;
    long sharedClean;
    long sharedDirty;
    long privateClean;
    long privateDirty;
    long swap;
    long swapPss;
    /** Whether the entry had a SwapPss line (Linux 4.3+). */
    boolean swapPssReported;
    long sharedHugetlb;
    long privateHugetlb;

    void clear() {
        rss = pss = sharedClean = sharedDirty = privateClean = privateDirty = 0;
        swap = swapPss = sharedHugetlb = privateHugetlb = 0;
        swapPssReported = false;
    }

    public long rss() {
        return rss;
    }

    /**
     * The usage of this entry, whose {@code swap} is SwapPss where the kernel reports it: a
     * copy-on-write page swapped out after a fork is in the Swap of every process that maps it, so
     * Swap summed over processes counts it once per process and can exceed what /proc/swaps holds.
     */
    public MemoryUsage toUsage() {
        return new MemoryUsage(privateClean + privateDirty + privateHugetlb,
                sharedClean + sharedDirty + sharedHugetlb, swapPssReported ? swapPss : swap, pss, swapPss,
                privateHugetlb, sharedHugetlb);
    }
}
