package org.gleaner.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.TestCgroup;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cgroup names are bytes: cgroups named {@code \xff\xfe}, {@code \xfe\xff} (not UTF-8) and {@code é},
 * each holding a process, are three series of the agent's cgroup collector run without a locale
 * ({@code env -i}, as cron or a systemd unit run it: the JVM's file name charset is then ASCII).
 */
@Privileged("creates cgroups and moves processes into them")
class CgroupNamesAsBytesTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Makes the three cgroups below $1, each with a sleeping process in it. */
    private static final String MAKE = "for name in $'\\xff\\xfe' $'\\xfe\\xff' $'\\xc3\\xa9'; do"
            + " mkdir \"$1/$name\" && { sleep 60 & echo $! > \"$1/$name/cgroup.procs\"; }; done";
    /** Stops the processes of the cgroups below $1 and removes them. */
    private static final String REMOVE = "for dir in \"$1\"/*/; do for pid in $(cat \"$dir/cgroup.procs\");"
            + " do kill $pid; done; for try in $(seq 50); do rmdir \"$dir\" 2>/dev/null && break; sleep 0.1; done; done";

    @ParameterizedTest
    @ValueSource(strings = {"unified", "pids"})
    void namesThatAreNotAsciiOrNotUtf8AreEachTheirOwnSeries(String hierarchy, @TempDir Path tmp) throws IOException {
        Requirements.require(Files.exists(Requirements.repoRoot().resolve("agent/target/gleaner.jar")),
                "the shaded jar is not built (mvn package -DskipTests)");
        String parent = "gleaner-bytes-" + PID;
        Path config = Files.writeString(tmp.resolve("gleaner.yaml"), "prefix: test\ncounters: raw\n"
                + "collectors:\n  cgroup:\n    include: ['/" + parent + "/*']\n");
        try (TestCgroup cgroup = hierarchy.equals("unified") ? TestCgroup.unified(parent) : TestCgroup.v1(hierarchy, parent)) {
            try {
                Cmd.run(WAIT, "bash", "-c", MAKE, "bash", cgroup.dir().toString()).ok();
                Cmd.Result agent = Cmd.run(WAIT, "env", "-i", "PATH=/usr/bin:/bin",
                        Requirements.repoRoot().resolve("bin/gleaner").toString(), "agent", "--config", config.toString(),
                        "--stdout", "--cycles", "2", "-i", "1s", "--collectors", "cgroup");
                assertEquals(0, agent.exit(), agent.stderr());
                assertFalse(agent.stderr().contains("Malformed"), agent.stderr());
                String metric = hierarchy.equals("unified") ? "cpu.usage_usec" : "pids.current";
                Matcher line = Pattern.compile("^test\\.cgroup\\.cgroups\\." + Pattern.quote(parent) + "\\.(\\S+)\\."
                        + Pattern.quote(metric) + " (\\S+) \\d+$", Pattern.MULTILINE).matcher(agent.stdout());
                Set<String> children = new TreeSet<>();
                while (line.find()) {
                    children.add(line.group(1));
                }
                assertEquals(3, children.size(), "three series: " + agent.stdout() + agent.stderr());
                assertTrue(children.stream().allMatch(child -> child.matches("_+_[0-9a-f]{12}")), children.toString());
                assertTrue(agent.stdout().contains("test.cgroup.collector.units 3 "), agent.stdout());
            } finally {
                Cmd.run(WAIT, "bash", "-c", REMOVE, "bash", cgroup.dir().toString()).ok();
            }
        }
    }
}
