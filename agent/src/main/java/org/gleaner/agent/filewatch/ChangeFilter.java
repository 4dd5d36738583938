package org.gleaner.agent.filewatch;

import org.gleaner.collectors.fanotify.FileEvent;
import org.gleaner.collectors.fanotify.FileEventListener;
import org.gleaner.collectors.procfs.ByteFiles;

/**
 * Turns raw file events into changes for the batcher: keeps only paths under a watched root that no
 * exclude matches, made by the selected program (if any), and classifies each as "changed" (written
 * and closed, created, moved in) or "gone" (deleted, moved out). Directories count when they are moved
 * or deleted, not when created empty, and never for being written.
 */
public final class ChangeFilter implements FileEventListener {

    private static final long CHANGED_BITS = FileEvent.CLOSE_WRITE | FileEvent.CREATE | FileEvent.MOVED_TO;
    private static final long APPEARED_BITS = FileEvent.CREATE | FileEvent.MOVED_TO;
    private static final long GONE_BITS = FileEvent.DELETE | FileEvent.MOVED_FROM;

    private final WatchedRoots roots;
    private final Excludes excludes;
    private final String command;
    private final ChangeBatcher batcher;

    /**
     * @param command only changes made by a process of this name ({@link FileEvent#comm()}, which the
     *                watcher must then resolve); null for all
     */
    public ChangeFilter(WatchedRoots roots, Excludes excludes, String command, ChangeBatcher batcher) {
        this.roots = roots;
        this.excludes = excludes;
        this.command = command;
        this.batcher = batcher;
    }

    @Override
    public void onEvent(FileEvent event) {
        if (!event.has(CHANGED_BITS | GONE_BITS)) {
            return;
        }
        WatchedRoots.Located located = roots.locate(event.path());
        boolean directory = event.has(FileEvent.ONDIR);
        if (located == null || excludes.excludes(located.relative(), directory)) {
            return;
        }
        if (command != null && !command.equals(event.comm())) {
            return;
        }
        boolean changed = event.has(CHANGED_BITS);
        if (changed && event.has(GONE_BITS)) {
            // The kernel merged events on this entry and their order is lost: what is there now decides.
            changed = ByteFiles.exists(event.path());
        }
        if (!changed) {
            batcher.gone(event.path());
        } else if (!directory || event.has(FileEvent.MOVED_TO)) {
            batcher.changed(event.path(), event.has(APPEARED_BITS));
        }
    }

    @Override
    public void onOverflow() {
        batcher.overflow();
    }
}
