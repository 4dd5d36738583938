package org.gleaner.collectors.bitrot;

import java.util.concurrent.atomic.AtomicLong;

/** What scrubbing did, counted as it happens: one run's (the CLI) or every run's since start (the agent). */
public final class ScrubCounts {
    /** Regular files and their bytes found by the walk. */
    public final AtomicLong filesSeen = new AtomicLong();
    public final AtomicLong bytesSeen = new AtomicLong();
    /** First digests of new files. */
    public final AtomicLong filesBaselined = new AtomicLong();
    public final AtomicLong bytesBaselined = new AtomicLong();
    /** Files whose content changed along with their mtime or ctime: new digests, silently. */
    public final AtomicLong filesEdited = new AtomicLong();
    /** Files whose content matched their baseline. */
    public final AtomicLong filesVerified = new AtomicLong();
    public final AtomicLong bytesVerified = new AtomicLong();
    /** New findings, and known ones that still differ. */
    public final AtomicLong corruptionsFound = new AtomicLong();
    public final AtomicLong stillCorrupt = new AtomicLong();
    /** Corrupt files that match their baseline again (restored from a backup). */
    public final AtomicLong restored = new AtomicLong();
    public final AtomicLong moved = new AtomicLong();
    public final AtomicLong removed = new AtomicLong();
    /** Files that changed while they were read: retried on a later run, never judged. */
    public final AtomicLong skippedChanging = new AtomicLong();
    public final AtomicLong vanishedWhileRead = new AtomicLong();
    /** Files and directories that could not be read. */
    public final AtomicLong readErrors = new AtomicLong();

    long digestedFiles() {
        return filesBaselined.get() + filesEdited.get() + filesVerified.get() + corruptionsFound.get() + stillCorrupt.get()
                + restored.get();
    }
}
