package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Removal of a test's scratch directory tree. */
public final class TempTrees {
    private TempTrees() {}

    /** Deletes {@code root} and everything below it (symbolic links are removed, not followed). */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** {@link #delete} for a server's scratch directory on close: one left behind is harmless. */
    public static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (IOException e) {
            // a scratch directory left behind is harmless
        }
    }

    /** The last {@code chars} characters of a server's log, for assertion messages. */
    public static String tail(Path log, int chars) {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - chars));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
