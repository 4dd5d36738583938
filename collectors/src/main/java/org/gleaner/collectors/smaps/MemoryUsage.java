package org.gleaner.collectors.smaps;

/**
 * Memory of one mapping, process or group, in bytes.
 *
 * <p>{@code privateBytes} and {@code sharedBytes} are resident pages mapped by one process only or
 * by several (Private_* and Shared_* of smaps) and include the hugetlb pages, which the kernel keeps
 * out of Rss and Pss ({@code privateHugetlb}, {@code sharedHugetlb} say how much of each they are).
 * {@code pss} and {@code swapPss} are the kernel's proportional shares (Pss, SwapPss): they add up
 * across processes to what is really used. {@code swapPss} is 0 on kernels without SwapPss (before 4.3).
 * {@code swap} is swapped-out memory counted like Pss, so that it too adds up across processes: it
 * is SwapPss, or on kernels without SwapPss the process's Swap (which counts a page swapped out
 * while shared, e.g. copy-on-write after fork, once in every process that maps it).
 */
public record MemoryUsage(long privateBytes, long sharedBytes, long swap, long pss, long swapPss,
                          long privateHugetlb, long sharedHugetlb) {

    public static final MemoryUsage ZERO = new MemoryUsage(0, 0, 0, 0, 0, 0, 0);

    /** Both together: two mappings of one process, or two processes' own memory. */
    public MemoryUsage plus(MemoryUsage other) {
        return new MemoryUsage(privateBytes + other.privateBytes, sharedBytes + other.sharedBytes,
                swap + other.swap, pss + other.pss, swapPss + other.swapPss,
                privateHugetlb + other.privateHugetlb, sharedHugetlb + other.sharedHugetlb);
    }

    /**
     * The same mapping as seen by two processes of one group: their private pages and proportional
     * shares add up, but pages they share are the same pages, so the larger shared figure counts once.
     */
    public MemoryUsage sameMappingInAnotherProcess(MemoryUsage other) {
        return new MemoryUsage(privateBytes + other.privateBytes, Math.max(sharedBytes, other.sharedBytes),
                swap + other.swap, pss + other.pss, swapPss + other.swapPss,
                privateHugetlb + other.privateHugetlb, Math.max(sharedHugetlb, other.sharedHugetlb));
    }

    /** All hugetlb pages, private and shared. */
    public long hugetlb() {
        return privateHugetlb + sharedHugetlb;
    }

    /**
     * The shared memory this entry accounts for in ps_mem's sense: its proportional share of the
     * shared pages (Pss minus private, both without hugetlb) plus its shared hugetlb pages, so that
     * private + this, summed over entries, is the RAM really in use.
     */
    public long proportionalShared() {
        return Math.max(0, pss - (privateBytes - privateHugetlb)) + sharedHugetlb;
    }
}
