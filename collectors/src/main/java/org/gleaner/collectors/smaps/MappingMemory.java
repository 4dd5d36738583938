package org.gleaner.collectors.smaps;

/**
 * All mappings of one file or pseudo-name ({@code [heap]}, {@code [anon]}, {@code [rollup]}) in one
 * process, added up.
 *
 * @param device major in the high 32 bits, minor in the low 32; 0 for anonymous memory
 * @param inode  0 for anonymous memory; with {@code device} it identifies the file across processes
 */
public record MappingMemory(String name, long device, long inode, MemoryUsage usage) {
    /** Name given to mappings with no path: anonymous private memory. */
    public static final String ANONYMOUS = "[anon]";
    /** Name of the single entry of smaps_rollup. */
    public static final String ROLLUP = "[rollup]";

    public boolean fileBacked() {
        return inode != 0;
    }

    /** "MAJ:MIN" in hex, as in /proc/PID/maps. */
    public String deviceName() {
        return String.format("%02x:%02x", device >>> 32, device & 0xffffffffL);
    }
}
