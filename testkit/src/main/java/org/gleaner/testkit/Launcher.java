package org.gleaner.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs one of the checkout's bin/ launchers (e.g. "gleaner") on the built jar, as a user would. */
public final class Launcher {
    private Launcher() {}

    /** Skips (or, in strict mode, fails) the test if agent/target/gleaner.jar is not built. */
    public static Cmd.Result run(String launcher, Duration limit, List<String> args) {
        return runAs(List.of(), launcher, limit, args);
    }

    /** Runs it behind {@code wrapper} (e.g. setpriv ... to drop root). */
    public static Cmd.Result runAs(List<String> wrapper, String launcher, Duration limit, List<String> args) {
        Path root = Requirements.repoRoot();
        Requirements.require(Files.isReadable(root.resolve("agent/target/gleaner.jar")),
                "agent/target/gleaner.jar is not built (mvn package -DskipTests first)");
        List<String> command = new ArrayList<>(wrapper);
        command.add(root.resolve("bin").resolve(launcher).toString());
        command.addAll(args);
        return Cmd.run(limit, command, null);
    }
}
