package org.gleaner.agent.bitrot;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Launcher;

/** Runs bin/bitrot-scrub as a user would, and handles names that Java's Path cannot hold. */
final class BitrotRun {
    static final Duration LIMIT = Duration.ofSeconds(120);

    private BitrotRun() {}

    static Cmd.Result scrub(Path db, String... args) {
        List<String> command = new ArrayList<>(List.of("--db", db.toString(), "--no-progress"));
        command.addAll(List.of(args));
        return Launcher.run("bitrot-scrub", LIMIT, command);
    }

    static Cmd.Result sub(String subcommand, Path db, String... args) {
        List<String> command = new ArrayList<>(List.of(subcommand, "--db", db.toString()));
        command.addAll(List.of(args));
        return Launcher.run("bitrot-scrub", LIMIT, command);
    }

    static byte[] bytes(Path directory, byte[] name) {
        byte[] dir = directory.toString().getBytes(StandardCharsets.UTF_8);
        byte[] path = new byte[dir.length + 1 + name.length];
        System.arraycopy(dir, 0, path, 0, dir.length);
        path[dir.length] = '/';
        System.arraycopy(name, 0, path, dir.length + 1, name.length);
        return path;
    }

    /** Renames {@code from} to the raw path {@code to} (python3: its os module takes bytes). */
    static void rename(Path from, byte[] to) {
        python("import os, sys; os.rename(sys.argv[1], bytes.fromhex(sys.argv[2]))", from.toString(), hex(to));
    }

    /** "size mtime_ns ctime_ns inode" of a raw path. */
    static String stat(byte[] path) {
        return python("import os, sys; s = os.stat(bytes.fromhex(sys.argv[1])); print(s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino)",
                hex(path)).stdout().trim();
    }

    static Cmd.Result python(String program, String... args) {
        List<String> command = new ArrayList<>(List.of("python3", "-c", program));
        command.addAll(List.of(args));
        return Cmd.run(LIMIT, command, null).ok();
    }

    static String hex(byte[] raw) {
        return HexFormat.of().formatHex(raw);
    }
}
