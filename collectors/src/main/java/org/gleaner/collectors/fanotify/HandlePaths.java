package org.gleaner.collectors.fanotify;

import com.sun.jna.LastErrorException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.procfs.ByteFiles;
import org.gleaner.collectors.text.BytePath;

/**
 * Filesystem-mark mode. Directories created, renamed or removed while watching are followed through
 * the event stream ({@link DirectoryMap}), so their events carry the name they had at the time;
 * any other directory is opened with open_by_handle_at(2) on a descriptor of its filesystem (needs
 * CAP_DAC_READ_SEARCH) and named by its /proc/self/fd link, i.e. as it is when the event is read.
 */
final class HandlePaths implements PathResolver {
    private static final byte[] DELETED_SUFFIX = " (deleted)".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOT = {'.'};
    private static final int MAX_REMEMBERED = 1 << 16;

    private final Map<Long, Integer> mountFds;
    private final DirectoryMap directories = new DirectoryMap();
    private final byte[] linkBuffer = new byte[ByteFiles.PATH_MAX];

    /** @param mountFds an open descriptor on each watched filesystem, by fsid; closed by {@link #close} */
    HandlePaths(Map<Long, Integer> mountFds) {
        this.mountFds = mountFds;
    }

    @Override
    public boolean tracks(RawEvent event) {
        return DirectoryEvents.changesDirectories(event);
    }

    @Override
    public BytePath resolve(RawEvent event) {
        FileHandle handle = event.directory() != null ? event.directory() : event.object();
        if (handle == null) {
            return null;
        }
        BytePath directory = directory(handle);
        if (directory == null) {
            return BytePath.of(event.name() == null || event.name().length == 0 ? DOT : event.name());
        }
        return PathResolver.child(directory, event.name());
    }

    private BytePath directory(FileHandle handle) {
        BytePath known = directories.get(handle);
        if (known != null) {
            return known;
        }
        BytePath opened = open(handle);
        if (opened != null) {
            if (directories.size() >= MAX_REMEMBERED) {
                directories.clear();
            }
            directories.put(handle, opened);
        }
        return opened;
    }

    private BytePath open(FileHandle handle) {
        Integer mountFd = mountFds.get(handle.fsid());
        if (mountFd == null) {
            return null;
        }
        int fd;
        try {
            fd = Fanotify.INSTANCE.open_by_handle_at(mountFd, handle.toStruct(), Fanotify.O_PATH | Fanotify.O_CLOEXEC);
        } catch (LastErrorException e) {
            return null; // ESTALE: the directory was removed before its event was read
        }
        BytePath target = ByteFiles.fdPath(fd, linkBuffer);
        Syscalls.closeQuietly(fd);
        if (target == null) {
            return null;
        }
        // A removed directory still open through its handle reads as "PATH (deleted)": its last name.
        if (target.endsWith(DELETED_SUFFIX) && !ByteFiles.exists(target)) {
            target = target.dropLast(DELETED_SUFFIX.length);
        }
        return target;
    }

    @Override
    public void discard(RawEvent event) {}

    @Override
    public void afterEvent(RawEvent event, BytePath path) {
        if (path != null && path.isAbsolute() && tracks(event)) {
            DirectoryEvents.replay(event, path, directories, (handle, arrived) -> {
                if (handle != null) {
                    directories.put(handle, arrived);
                }
            });
        }
    }

    @Override
    public void afterOverflow() {
        directories.clear();
    }

    @Override
    public void close() {
        mountFds.values().forEach(Syscalls::closeQuietly);
    }
}
