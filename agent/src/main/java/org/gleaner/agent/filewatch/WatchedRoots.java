package org.gleaner.agent.filewatch;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The directories being watched, resolved with realpath, and the test of whether an event's path lies
 * under one of them. The test is by whole path components: {@code /home/u/project2} is not under
 * {@code /home/u/project}.
 */
public final class WatchedRoots {

    /** An event's path split into the watched root it lies under and the part below that root. */
    public record Located(Path root, Path relative) {}

    private final List<Path> roots;

    private WatchedRoots(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /**
     * Resolves each argument to its real path; a missing path, or one that is not a directory,
     * fails with a one-line message naming it. Nested and repeated roots collapse into the outer one.
     */
    public static WatchedRoots resolve(List<String> arguments) {
        List<Path> resolved = new ArrayList<>();
        for (String argument : arguments) {
            Path real;
            try {
                real = Path.of(argument).toRealPath();
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(argument + ": no such file or directory");
            } catch (AccessDeniedException e) {
                throw new IllegalArgumentException(argument + ": permission denied");
            } catch (IOException e) {
                throw new IllegalArgumentException(argument + ": " + e.getMessage());
            }
            if (!Files.isDirectory(real)) {
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
    public static WatchedRoots of(List<Path> realPaths) {
        List<Path> outermost = new ArrayList<>();
        realPaths.stream().distinct().sorted(Comparator.comparingInt(Path::getNameCount)).forEach(root -> {
            if (outermost.stream().noneMatch(root::startsWith)) {
                outermost.add(root);
            }
        });
        return new WatchedRoots(outermost);
    }

    public List<Path> paths() {
        return roots;
    }

    /** The root {@code path} lies under (or is), or null when it is outside every root. */
    public Located locate(Path path) {
        for (Path root : roots) {
            if (path.startsWith(root)) {
                return new Located(root, root.relativize(path));
            }
        }
        return null;
    }
}
