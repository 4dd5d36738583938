package org.gleaner.agent.filewatch;

import com.sun.jna.LastErrorException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.jna.LibC;
import org.gleaner.collectors.procfs.ByteFiles;
import org.gleaner.collectors.text.BytePath;

/**
 * The directories being watched, resolved with realpath, and the test of whether an event's path lies
 * under one of them. The test is by whole path components: {@code /home/u/project2} is not under
 * {@code /home/u/project}. Paths are bytes, as the kernel reports them.
 */
public final class WatchedRoots {

    /** An event's path split into the watched root it lies under and the part below that root. */
    public record Located(BytePath root, BytePath relative) {}

    private final List<BytePath> roots;

    private WatchedRoots(List<BytePath> roots) {
        this.roots = List.copyOf(roots);
    }

    /**
     * Resolves each argument to its real path; a missing path, or one that is not a directory,
     * fails with a one-line message naming it. Nested and repeated roots collapse into the outer one.
     */
    public static WatchedRoots resolve(List<String> arguments) {
        List<BytePath> resolved = new ArrayList<>();
        for (String argument : arguments) {
            BytePath real;
            try {
                real = ByteFiles.realPath(BytePath.ofArgument(argument));
            } catch (LastErrorException e) {
                throw new IllegalArgumentException(argument + ": " + switch (e.getErrorCode()) {
                    case Fanotify.ENOENT -> "no such file or directory";
                    case Fanotify.EACCES -> "permission denied";
                    default -> LibC.INSTANCE.strerror(e.getErrorCode());
                });
            }
            if (!ByteFiles.isDirectory(real)) {
                throw new IllegalArgumentException(argument + ": not a directory");
            }
            resolved.add(real);
        }
        if (resolved.isEmpty()) {
            throw new IllegalArgumentException("at least one directory to watch is required");
        }
        return of(resolved);
    }

    /** Roots that are already real paths (the kernel reports real paths). */
    public static WatchedRoots of(List<BytePath> realPaths) {
        List<BytePath> outermost = new ArrayList<>();
        realPaths.stream().distinct().sorted(Comparator.comparingInt((BytePath root) -> root.names().length)).forEach(root -> {
            if (outermost.stream().noneMatch(root::startsWith)) {
                outermost.add(root);
            }
        });
        return new WatchedRoots(outermost);
    }

    public List<BytePath> paths() {
        return roots;
    }

    /** The root {@code path} lies under (or is), or null when it is outside every root. */
    public Located locate(BytePath path) {
        for (BytePath root : roots) {
            if (path.startsWith(root)) {
                return new Located(root, root.relativize(path));
            }
        }
        return null;
    }
}
