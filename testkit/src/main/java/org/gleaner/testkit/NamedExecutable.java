package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A copy of a helper binary under a name of the test's choosing, in a fresh directory anyone may
 * read: tools that group processes by executable then show it as a group of its own, apart from
 * the same helper started by concurrent tests.
 */
public final class NamedExecutable {
    private NamedExecutable() {}

    /** {@code name} may hold any byte but '/' and NUL (spaces, dots, quotes, newlines...). */
    public static Path copy(Path binary, String name) {
        try {
            Path dir = Files.createTempDirectory("gleaner-named-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path copy = dir.resolve(name);
            Files.copy(binary, copy, StandardCopyOption.COPY_ATTRIBUTES);
            copy.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw new AssertionError("cannot copy " + binary + " as " + name + ": " + e.getMessage(), e);
        }
    }
}
