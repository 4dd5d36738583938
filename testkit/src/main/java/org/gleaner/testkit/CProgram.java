package org.gleaner.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles a C helper program with {@code cc} at test time, once per test JVM, into a temp directory
 * anyone may read (so a helper can also run as nobody). Sources live next to this class as
 * resources ({@code NAME.c}) or are given as text.
 */
public final class CProgram {
    private static final Map<String, Path> COMPILED = new ConcurrentHashMap<>();

    private CProgram() {}

    /** The testkit's own helper {@code NAME.c} (e.g. "memhog"), compiled. */
    public static Path bundled(String name) {
        return COMPILED.computeIfAbsent(name, key -> compile(key, readResource(key + ".c")));
    }

    /** Compiles {@code source} into an executable called {@code name}; skips the test if there is no cc. */
    public static Path compile(String name, String source) {
        Path cc = Requirements.requireTool("cc");
        try {
            Path dir = Files.createTempDirectory("gleaner-cc-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path file = dir.resolve(name + ".c");
            Files.writeString(file, source);
            Path binary = dir.resolve(name);
            Cmd.run(Duration.ofSeconds(60), cc.toString(), "-O1", "-Wall", "-Werror", "-o", binary.toString(),
                    file.toString()).ok();
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            binary.toFile().deleteOnExit();
            return binary;
        } catch (IOException e) {
            throw new AssertionError("cannot compile " + name + ": " + e.getMessage(), e);
        }
    }

    private static String readResource(String resource) {
        try (InputStream in = CProgram.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("no helper source " + resource);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
