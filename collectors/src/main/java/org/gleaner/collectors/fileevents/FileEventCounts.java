package org.gleaner.collectors.fileevents;

import java.util.function.Supplier;
import org.gleaner.collectors.fanotify.FileEvent;
import org.gleaner.collectors.fanotify.FileEventListener;
import org.gleaner.collectors.text.BytePath;

/**
 * Counts file events as the fanotify reader delivers them: per type, per process name and per mount
 * (named slots plus "other"), and queue overflows. One merged kernel event counts once for each type
 * it carries and once per process and mount. The process is the event's resolved comm; a process that
 * exited before its first event was read counts as "unknown".
 */
final class FileEventCounts implements FileEventListener {

    /** The event types reported, with the FAN_* bits of each. */
    enum Type {
        OPEN(FileEvent.OPEN),
        READ(FileEvent.ACCESS),
        WRITE(FileEvent.MODIFY),
        CREATE(FileEvent.CREATE),
        DELETE(FileEvent.DELETE),
        /** A rename is reported twice (from, to): counted once, on its MOVED_FROM half. */
        MOVE(FileEvent.MOVED_FROM);

        final long bits;

        Type(long bits) {
            this.bits = bits;
        }

        String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A consistent copy of every count, taken at {@code readMillis}. */
    record Totals(long readMillis, long[] byType, CappedCounters.Snapshot byProcess,
            CappedCounters.Snapshot byMount, long overflows) {}

    private static final String UNKNOWN = "unknown";

    private final Supplier<MountTable> mounts;
    private final long[] byType = new long[Type.values().length];
    private final CappedCounters byProcess;
    private final CappedCounters byMount;
    private MountTable mountTable;
    private long overflows;

    /**
     * @param mounts reads the current mount table (called at each snapshot)
     * @param slots  named slots per process and per mount before "other"
     */
    FileEventCounts(Supplier<MountTable> mounts, int slots) {
        this.mounts = mounts;
        this.byProcess = new CappedCounters(slots);
        this.byMount = new CappedCounters(slots);
        this.mountTable = mounts.get();
    }

    @Override
    public void onEvent(FileEvent event) {
        String process = event.comm();
        synchronized (this) {
            for (Type type : Type.values()) {
                if (event.has(type.bits)) {
                    byType[type.ordinal()]++;
                }
            }
            byProcess.add(process == null ? UNKNOWN : process);
            BytePath mount = mountTable.mountOf(event.path());
            byMount.add(mount == null ? UNKNOWN : mount.toString());
        }
    }

    @Override
    public synchronized void onOverflow() {
        overflows++;
    }

    /** The counts so far; also re-reads the mount table for the events to come. */
    Totals totals() {
        MountTable current = mounts.get();
        synchronized (this) {
            mountTable = current;
            return new Totals(System.currentTimeMillis(), byType.clone(), byProcess.snapshot(), byMount.snapshot(),
                    overflows);
        }
    }
}
