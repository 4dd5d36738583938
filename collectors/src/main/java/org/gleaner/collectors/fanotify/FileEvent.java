package org.gleaner.collectors.fanotify;

import org.gleaner.collectors.text.BytePath;

/**
 * One file event read from fanotify. {@code mask} holds the FAN_* bits of fanotify(7) (the kernel
 * merges consecutive events of one process on one object, so several may be set; {@link #ONDIR} marks
 * an event on a directory); {@code path} is the full path of the object (for create/delete/move: of the
 * directory entry, not just its parent) — or, in filesystem mode only, a relative path holding just the
 * entry name when its directory was removed before the event could be read. {@code pid} is 0 for other
 * processes' events in unprivileged (tree) mode, and for the CREATE events tree mode reports for entries
 * it found already inside a new directory when it came to mark it. {@code comm} is the process name
 * (/proc/PID/comm in its {@link org.gleaner.collectors.text.ByteText#human human form}, or "unknown")
 * when the watcher was asked to resolve it, else null. The path is bytes, as the kernel gave it.
 */
public record FileEvent(long mask, int pid, BytePath path, String comm) {
    public static final long ACCESS = 0x1;
    public static final long MODIFY = 0x2;
    public static final long ATTRIB = 0x4;
    public static final long CLOSE_WRITE = 0x8;
    public static final long CLOSE_NOWRITE = 0x10;
    public static final long OPEN = 0x20;
    public static final long MOVED_FROM = 0x40;
    public static final long MOVED_TO = 0x80;
    public static final long CREATE = 0x100;
    public static final long DELETE = 0x200;
    public static final long ONDIR = 0x40000000L;

    /** An event without a resolved process name. */
    public FileEvent(long mask, int pid, BytePath path) {
        this(mask, pid, path, null);
    }

    public boolean has(long bits) {
        return (mask & bits) != 0;
    }
}
