package org.gleaner.agent.bitrot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Launcher;

/** Runs bin/bitrot-scrub as a user would. */
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
}
