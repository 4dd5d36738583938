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
    long sharedHugetlb;
    long privateHugetlb;

    void clear() {
        rss = pss = sharedClean = sharedDirty = privateClean = privateDirty = 0;
        swap = swapPss = sharedHugetlb = privateHugetlb = 0;
    }

    public long rss() {
        return rss;
    }

    public MemoryUsage toUsage() {
        return new MemoryUsage(privateClean + privateDirty + privateHugetlb,
                sharedClean + sharedDirty + sharedHugetlb, swap, pss, swapPss, privateHugetlb, sharedHugetlb);
    }
}
