package org.gleaner.agent.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.testkit.CProgram;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Launcher;
import org.gleaner.testkit.NamedExecutable;
import org.gleaner.testkit.Requirements;

/** Runs the real bin/ps-mem launcher on the built jar, and gives memhog a name of the test's choosing. */
final class PsMemLauncher {
    private PsMemLauncher() {}

    static Cmd.Result run(String... args) {
        return runAs(List.of(), args);
    }

    /** Runs it behind {@code wrapper} (e.g. setpriv ... to drop root). */
    static Cmd.Result runAs(List<String> wrapper, String... args) {
        return Launcher.runAs(wrapper, "ps-mem", Duration.ofSeconds(60), List.of(args));
    }

    /** memhog copied to a fresh world-readable directory under {@code name}: its group name in ps-mem. */
    static Path memhogNamed(String name) {
        return NamedExecutable.copy(CProgram.bundled("memhog"), name);
    }

    /** "24.5 MiB" back to bytes (to the printed precision); "0" is 0. */
    static double bytes(String size) {
        if (size.equals("0")) {
            return 0;
        }
        String[] parts = size.split(" ");
        int power = List.of("KiB", "MiB", "GiB", "TiB").indexOf(parts[1]) + 1;
        if (power == 0) {
            throw new AssertionError("not a size: " + size);
        }
        return Double.parseDouble(parts[0]) * Math.pow(1024, power);
    }

    /** A JSON document's value at a Python expression over {@code d}, via python3's json module. */
    static String jsonQuery(String json, String expression) {
        Path python = Requirements.requireTool("python3");
        Cmd.Result result = Cmd.run(Duration.ofSeconds(30), List.of(python.toString(), "-c",
                "import json,sys; d=json.load(sys.stdin); print(json.dumps(" + expression + "))"), json).ok();
        return result.stdout().trim();
    }
}
