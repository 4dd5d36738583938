package org.gleaner.collectors.smaps;

/** Which file to read: every mapping (detailed, slower) or the kernel's per-process sums (4.14+). */
public enum SmapsSource {
    SMAPS("smaps"),
    ROLLUP("smaps_rollup");

    private final String fileName;

    SmapsSource(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }
}
