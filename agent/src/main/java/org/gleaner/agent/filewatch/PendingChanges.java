package org.gleaner.agent.filewatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gleaner.collectors.text.BytePath;

/**
 * The changes of one burst, merged per path, in the order paths first changed. A path that appeared
 * and went away again within the burst (an editor's temp file renamed over its target, a scratch file
 * created and deleted) is dropped: nobody outside the burst could have seen it.
 */
final class PendingChanges {

    private enum State { CHANGED, GONE }

    private static final class Entry {
        State state;
        /** The first event of the burst created it (or moved it in): it did not exist before. */
        final boolean appeared;

        Entry(State state, boolean appeared) {
            this.state = state;
            this.appeared = appeared;
        }
    }

    private final Map<BytePath, Entry> entries = new LinkedHashMap<>();
    private final int capacity;
    private boolean overflowed;

    /** Beyond {@code capacity} distinct paths the burst becomes an overflow: a rescan of every root. */
    PendingChanges(int capacity) {
        this.capacity = capacity;
    }

    /** The file was written and closed, created or moved in ({@code appeared} for the last two). */
    void changed(BytePath path, boolean appeared) {
        if (overflowed) {
            return;
        }
        Entry entry = entries.get(path);
        if (entry == null) {
            add(path, new Entry(State.CHANGED, appeared));
        } else {
            entry.state = State.CHANGED;
        }
    }

    /** The file was deleted or moved out. */
    void gone(BytePath path) {
        if (overflowed) {
            return;
        }
        Entry entry = entries.get(path);
        if (entry == null) {
            add(path, new Entry(State.GONE, false));
        } else if (entry.appeared) {
            entries.remove(path);
        } else {
            entry.state = State.GONE;
        }
    }

    /** Events were lost: this burst can only say "rescan everything". */
    void overflow() {
        overflowed = true;
        entries.clear();
    }

    boolean isEmpty() {
        return !overflowed && entries.isEmpty();
    }

    boolean overflowed() {
        return overflowed;
    }

    /**
     * The paths to report: those that exist changed, plus those gone when {@code includeGone}; after an
     * overflow, only {@code roots} (the rescan marker). Empties this burst.
     */
    List<BytePath> drain(boolean includeGone, List<BytePath> roots) {
        List<BytePath> paths = new ArrayList<>();
        if (overflowed) {
            paths.addAll(roots);
        } else {
            entries.forEach((path, entry) -> {
                if (entry.state == State.CHANGED || includeGone) {
                    paths.add(path);
                }
            });
        }
        entries.clear();
        overflowed = false;
        return paths;
    }

    private void add(BytePath path, Entry entry) {
        if (entries.size() >= capacity) {
            overflow();
        } else {
            entries.put(path, entry);
        }
    }
}
