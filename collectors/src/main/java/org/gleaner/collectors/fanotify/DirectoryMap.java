package org.gleaner.collectors.fanotify;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.gleaner.collectors.text.BytePath;

/**
 * Directory handle → path, kept current by replaying the directory events of the stream in order, so
 * that an event is named as the tree was when it happened rather than when it was read (a directory
 * renamed or removed later in the queue keeps its old name for the events before that).
 */
final class DirectoryMap {
    private final Map<FileHandle, BytePath> paths = new HashMap<>();
    private final NavigableMap<BytePath, FileHandle> handlesByPath = new TreeMap<>();
    /** The subtree last moved away, by handle, relative to its old top: claimed if a MOVED_TO brings it back. */
    private Map<FileHandle, BytePath> departed = Map.of();

    BytePath get(FileHandle handle) {
        return paths.get(handle);
    }

    int size() {
        return paths.size();
    }

    void put(FileHandle handle, BytePath path) {
        BytePath previous = paths.put(handle, path);
        if (previous != null) {
            handlesByPath.remove(previous);
        }
        FileHandle displaced = handlesByPath.put(path, handle);
        if (displaced != null && !displaced.equals(handle)) {
            paths.remove(displaced);
        }
    }

    void clear() {
        paths.clear();
        handlesByPath.clear();
        departed = Map.of();
    }

    /** A directory entry was removed: forgets {@code top} and everything below it. */
    void delete(BytePath top) {
        removeTree(top);
    }

    /** A directory was moved away from {@code top}: forgets it, keeping the subtree for {@link #moveIn}. */
    void moveOut(BytePath top) {
        departed = removeTree(top);
    }

    /**
     * A directory arrived at {@code path}: if it is the one last moved away, its whole subtree is
     * renamed and true returned; otherwise nothing below it is known and false is returned.
     */
    boolean moveIn(FileHandle handle, BytePath path) {
        if (handle == null || !departed.containsKey(handle)) {
            return false;
        }
        departed.forEach((departedHandle, relative) -> put(departedHandle, path.resolve(relative)));
        departed = Map.of();
        return true;
    }

    private Map<FileHandle, BytePath> removeTree(BytePath top) {
        Map<FileHandle, BytePath> removed = new HashMap<>();
        // Entries below "/a/b" sort in ["/a/b/", "/a/b0"): '0' is the byte after '/'.
        NavigableMap<BytePath, FileHandle> below = handlesByPath.subMap(withLast(top, '/'), true, withLast(top, '0'), false);
        below.forEach((path, handle) -> {
            removed.put(handle, top.relativize(path));
            paths.remove(handle);
        });
        below.clear();
        FileHandle self = handlesByPath.remove(top);
        if (self != null) {
            paths.remove(self);
            removed.put(self, BytePath.of(new byte[0]));
        }
        return removed;
    }

    private static BytePath withLast(BytePath path, char last) {
        byte[] bytes = path.bytes();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        longer[bytes.length] = (byte) last;
        return BytePath.of(longer);
    }
}
