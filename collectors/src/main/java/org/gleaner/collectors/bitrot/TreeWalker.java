package org.gleaner.collectors.bitrot;

import com.sun.jna.LastErrorException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gleaner.collectors.jna.FileCalls;

/**
 * Walks a tree by raw names (openat, statx, getdents64): never follows a symbolic link, stays on
 * the root's filesystem unless told otherwise, and hands each directory's regular files, sorted
 * by name, to the visitor before descending into its subdirectories.
 */
final class TreeWalker {
    private final RawFiles files = new RawFiles();
    private final PathFilter filter;
    private final boolean crossFilesystems;

    record FileEntry(byte[] name, FileStat stat) {}

    interface Visitor {
        /**
         * A directory's regular files, and the names of entries that could not be examined (they
         * are neither present nor gone as far as the scrubber can tell).
         */
        void directory(byte[] path, List<FileEntry> files, List<byte[]> unexamined) throws InterruptedException;

        /** A directory or file that could not be listed or examined, and why. */
        void unreadable(byte[] path, String reason);
    }

    TreeWalker(PathFilter filter, boolean crossFilesystems) {
        this.filter = filter;
        this.crossFilesystems = crossFilesystems;
    }

    /** @param root an absolute path without a trailing '/' (or "/" itself) */
    void walk(byte[] root, Visitor visitor) throws InterruptedException {
        int fd;
        FileStat stat;
        try {
            fd = files.openDirectory(FileCalls.AT_FDCWD, root);
            stat = files.stat(fd);
        } catch (LastErrorException e) {
            visitor.unreadable(root, RawFiles.errorText(e));
            return;
        }
        try {
            walk(fd, root, root.length, stat.device(), visitor);
        } finally {
            RawFiles.close(fd);
        }
    }

    private void walk(int fd, byte[] path, int rootLength, long device, Visitor visitor) throws InterruptedException {
        List<RawFiles.Entry> entries;
        try {
            entries = files.list(fd);
        } catch (LastErrorException e) {
            visitor.unreadable(path, RawFiles.errorText(e));
            return;
        }
        entries.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
        List<FileEntry> regular = new ArrayList<>();
        List<byte[]> subdirectories = new ArrayList<>();
        List<byte[]> unexamined = new ArrayList<>();
        for (RawFiles.Entry entry : entries) {
            byte[] child = child(path, entry.name());
            byte[] relative = Arrays.copyOfRange(child, Math.min(child.length, rootLength + 1), child.length);
            if (filter.excluded(relative, entry.name())) {
                continue;
            }
            if (entry.type() != RawFiles.Entry.DT_UNKNOWN && entry.type() != RawFiles.Entry.DT_REG
                    && entry.type() != RawFiles.Entry.DT_DIR) {
                continue; // symbolic links, devices, sockets, FIFOs
            }
            FileStat stat;
            try {
                stat = files.stat(fd, entry.name());
            } catch (LastErrorException e) {
                if (e.getErrorCode() != FileCalls.ENOENT) {
                    visitor.unreadable(child, RawFiles.errorText(e));
                    unexamined.add(entry.name());
                }
                continue;
            }
            if (stat.isRegularFile() && filter.included(relative, entry.name())) {
                regular.add(new FileEntry(entry.name(), stat));
            } else if (stat.isDirectory() && (crossFilesystems || stat.device() == device)) {
                subdirectories.add(entry.name());
            }
        }
        visitor.directory(path, regular, unexamined);
        for (byte[] name : subdirectories) {
            byte[] child = child(path, name);
            int childFd;
            try {
                childFd = files.openDirectory(fd, name);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != FileCalls.ENOENT && e.getErrorCode() != FileCalls.ELOOP
                        && e.getErrorCode() != FileCalls.ENOTDIR) {
                    visitor.unreadable(child, RawFiles.errorText(e));
                }
                continue;
            }
            try {
                walk(childFd, child, rootLength, device, visitor);
            } finally {
                RawFiles.close(childFd);
            }
        }
    }

    static byte[] child(byte[] directory, byte[] name) {
        boolean slash = directory.length > 0 && directory[directory.length - 1] == '/';
        byte[] path = Arrays.copyOf(directory, directory.length + (slash ? 0 : 1) + name.length);
        if (!slash) {
            path[directory.length] = '/';
        }
        System.arraycopy(name, 0, path, path.length - name.length, name.length);
        return path;
    }
}
