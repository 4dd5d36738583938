package org.gleaner.collectors.fanotify;

/**
 * One fanotify event as the kernel wrote it, before any path resolution.
 *
 * @param mask      FAN_* bits (several when the kernel merged events)
 * @param fd        the event's open file descriptor in fd mode, or -1 (FAN_NOFD) in FID mode and for overflow
 * @param pid       the process that caused it (0 for other users' processes in unprivileged mode)
 * @param object    the FID record: the object itself, or null
 * @param directory the DFID_NAME or DFID record: the directory holding the entry, or null
 * @param name      the entry name's bytes in a DFID_NAME record ("." for the directory itself), or null
 */
public record RawEvent(long mask, int fd, int pid, FileHandle object, FileHandle directory, byte[] name) {
    public static final long Q_OVERFLOW = 0x4000;
    public static final int NO_FD = -1;

    public boolean isOverflow() {
        return (mask & Q_OVERFLOW) != 0;
    }
}
