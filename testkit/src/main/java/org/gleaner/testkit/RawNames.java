package org.gleaner.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Files whose names Java's Path cannot hold (bytes that are not UTF-8), made and examined through
 * python3, whose os module takes names as bytes.
 */
public final class RawNames {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private RawNames() {}

    /** {@code directory/name} as raw bytes. */
    public static byte[] child(Path directory, byte[] name) {
        byte[] dir = directory.toString().getBytes(StandardCharsets.UTF_8);
        byte[] path = new byte[dir.length + 1 + name.length];
        System.arraycopy(dir, 0, path, 0, dir.length);
        path[dir.length] = '/';
        System.arraycopy(name, 0, path, dir.length + 1, name.length);
        return path;
    }

    /** Renames {@code from} to the raw path {@code to}. */
    public static void rename(Path from, byte[] to) {
        python("import os, sys; os.rename(sys.argv[1], bytes.fromhex(sys.argv[2]))", from.toString(), hex(to));
    }

    /** "size mtime_ns ctime_ns inode" of a raw path. */
    public static String stat(byte[] path) {
        return python("import os, sys; s = os.stat(bytes.fromhex(sys.argv[1])); print(s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino)",
                hex(path)).stdout().trim();
    }

    private static Cmd.Result python(String program, String... args) {
        Requirements.requireTool("python3");
        List<String> command = new ArrayList<>(List.of("python3", "-c", program));
        command.addAll(List.of(args));
        return Cmd.run(LIMIT, command, null).ok();
    }

    private static String hex(byte[] raw) {
        return HexFormat.of().formatHex(raw);
    }
}
