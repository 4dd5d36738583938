package org.gleaner.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Preconditions of tests that use real system components. Outside CI an unmet one skips the test
 * with its reason; with {@value #STRICT_ENV}=1 (set by .ci/run) it fails it instead.
 */
public final class Requirements {
    public static final String STRICT_ENV = "GLEANER_STRICT_TESTS";

    private Requirements() {}

    public static boolean strict() {
        return "1".equals(System.getenv(STRICT_ENV));
    }

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Skips (or, in strict mode, fails) the calling test unless {@code condition} holds. */
    public static void require(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if (strict()) {
            throw new AssertionError("unmet test requirement: " + reason + " (" + STRICT_ENV + "=1)");
        }
        Assumptions.abort(reason);
    }

    /** An executable on PATH, as installed by scripts/install-test-deps. */
    public static Path requireTool(String name) {
        Path found = findOnPath(name);
        require(found != null, name + " is not installed (run scripts/install-test-deps as root)");
        return found;
    }

    public static Path findOnPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The checkout's top directory (surefire passes it; falls back to walking up from the working dir). */
    public static Path repoRoot() {
        String fromBuild = System.getenv("GLEANER_REPO");
        if (fromBuild != null && Files.isDirectory(Path.of(fromBuild, "bin"))) {
            return Path.of(fromBuild);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("bin")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the gleaner checkout from " + Path.of("").toAbsolutePath());
    }
}
