package org.gleaner.collectors.fanotify;

import java.util.function.BiConsumer;
import org.gleaner.collectors.text.BytePath;

/** Replays the directory create/delete/rename events of the stream onto a {@link DirectoryMap}. */
final class DirectoryEvents {
    private static final long ENTRY_EVENTS =
            FileEvent.CREATE | FileEvent.DELETE | FileEvent.MOVED_FROM | FileEvent.MOVED_TO;

    private DirectoryEvents() {}

    static boolean changesDirectories(RawEvent event) {
        return (event.mask() & FileEvent.ONDIR) != 0 && (event.mask() & ENTRY_EVENTS) != 0;
    }

    /**
     * Applies {@code event} (a directory entry event on a directory, at {@code path}). {@code arrived}
     * gets each directory that appeared without a known subtree (created, or moved in from elsewhere),
     * with its handle if the event carried one (FAN_REPORT_TARGET_FID).
     */
    static void replay(RawEvent event, BytePath path, DirectoryMap directories, BiConsumer<FileHandle, BytePath> arrived) {
        long mask = event.mask();
        // Without FAN_REPORT_TARGET_FID (5.17) a FID record, if any, names the parent, not the entry.
        FileHandle target = event.object() == null || event.object().equals(event.directory()) ? null : event.object();
        if ((mask & FileEvent.MOVED_FROM) != 0) {
            directories.moveOut(path);
        }
        if ((mask & FileEvent.DELETE) != 0) {
            directories.delete(path);
        }
        if ((mask & FileEvent.CREATE) != 0) {
            arrived.accept(target, path);
        }
        if ((mask & FileEvent.MOVED_TO) != 0) {
            FileHandle handle = target != null ? target : handleOrNull(path);
            if (!directories.moveIn(handle, path)) {
                arrived.accept(handle, path);
            }
        }
    }

    private static FileHandle handleOrNull(BytePath path) {
        try {
            return Syscalls.handleOf(path);
        } catch (FanotifyException e) {
            return null;
        }
    }
}
