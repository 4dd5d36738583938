package org.gleaner.collectors.fanotify;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.jna.LibC;
import org.gleaner.collectors.procfs.ByteFiles;
import org.gleaner.collectors.text.BytePath;

/**
 * Tree mode, which works without privileges: an inode mark on every directory of the tree and a
 * handle→directory map built with name_to_handle_at(2) (open_by_handle_at needs CAP_DAC_READ_SEARCH).
 * Directories created or moved in are marked as their events arrive. What was made inside a new
 * directory before its mark landed has no events of its own: the walk that marks it reports those
 * entries as {@link Arrival}s instead. Events from directories that left the tree still arrive (their
 * marks live on) but no longer resolve and are dropped.
 */
final class TreePaths implements PathResolver {
    private final List<BytePath> roots;
    private final Consumer<BytePath> marker;
    private final DirectoryMap directories = new DirectoryMap();
    private final List<Arrival> arrivals = new ArrayList<>();

    /** @param marker adds the inode mark on one directory; throws FanotifyException on failure */
    TreePaths(List<BytePath> roots, Consumer<BytePath> marker) {
        this.roots = roots;
        this.marker = marker;
        roots.forEach(root -> addTree(root, true, false));
    }

    @Override
    public boolean tracks(RawEvent event) {
        return DirectoryEvents.changesDirectories(event);
    }

    @Override
    public BytePath resolve(RawEvent event) {
        BytePath directory = event.directory() == null ? null : directories.get(event.directory());
        return directory == null ? null : PathResolver.child(directory, event.name());
    }

    @Override
    public void discard(RawEvent event) {}

    @Override
    public void afterEvent(RawEvent event, BytePath path) {
        if (path != null && tracks(event)) {
            boolean created = (event.mask() & FileEvent.CREATE) != 0;
            DirectoryEvents.replay(event, path, directories, (handle, arrived) -> addTree(arrived, false, created));
        }
    }

    @Override
    public void afterOverflow() {
        // Directories created while events were being lost are unmarked: walk everything again
        // (marking is idempotent) and rebuild the map from what is there now.
        directories.clear();
        roots.forEach(root -> addTree(root, false, false));
    }

    @Override
    public List<Arrival> takeArrivals() {
        if (arrivals.isEmpty()) {
            return List.of();
        }
        List<Arrival> taken = List.copyOf(arrivals);
        arrivals.clear();
        return taken;
    }

    @Override
    public void close() {}

    /**
     * Marks every directory under {@code top} and maps its handle, marking each directory before
     * opening it to list it: the marker also tells the kernel to ignore opening and reading marked
     * directories, so this walk queues no events of its own (a walk that filled the queue would
     * overflow it, and the walk that follows an overflow would overflow it again, for ever). At
     * set-up every failure is fatal; later a directory that vanished meanwhile is skipped. With
     * {@code reportContents} every entry found below {@code top} becomes an {@link Arrival}.
     */
    private void addTree(BytePath top, boolean initial, boolean reportContents) {
        Deque<BytePath> pending = new ArrayDeque<>();
        pending.push(top);
        while (!pending.isEmpty()) {
            BytePath dir = pending.pop();
            try {
                marker.accept(dir);
                directories.put(Syscalls.handleOf(dir), dir);
                ByteFiles.list(dir, (entry, directory) -> {
                    if (directory) {
                        pending.push(entry);
                    }
                    if (reportContents) {
                        arrivals.add(new Arrival(entry, directory));
                    }
                });
            } catch (FanotifyException e) {
                if (initial || e.errno() != Fanotify.ENOENT) {
                    throw e;
                }
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno != Fanotify.ENOENT && errno != Fanotify.ENOTDIR) {
                    throw new UncheckedIOException("cannot list " + dir + ": " + LibC.INSTANCE.strerror(errno),
                            new IOException(e.getMessage(), e));
                }
                if (initial) {
                    throw FanotifyException.cannotWatch(dir, "no such directory", Fanotify.ENOENT);
                }
            }
        }
    }
}
