package org.gleaner.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The syscallio collector as the agent runs it, through bin/gleaner. */
class SyscallIoCollectorFactoryTest {

    private static String gleaner() {
        Path launcher = Requirements.repoRoot().resolve("bin/gleaner");
        Requirements.require(Files.exists(Requirements.repoRoot().resolve("agent/target/gleaner.jar")),
                "the shaded jar is built (mvn package -DskipTests)");
        return launcher.toString();
    }

    @Test
    @Privileged("taskstats exit notifications need CAP_NET_ADMIN")
    void agentPrintsPerUnitCountersAndItsOwnHealth(@TempDir Path dir) throws Exception {
        // raw counters: the first cycle prints them (rates need two); a cycle of a few seconds
        // leaves the full /proc scan time on a loaded machine
        Path config = dir.resolve("gleaner.yaml");
        Files.writeString(config, "counters: raw\n");
        Cmd.Result result = Cmd.run(Duration.ofSeconds(60), gleaner(), "agent", "--stdout", "--config", config.toString(),
                "--cycles", "2", "-i", "3s", "--collectors", "syscallio").ok();
        List<String> lines = result.stdout().lines().toList();
        for (String metric : List.of(".syscallio.root.wchar ", ".syscallio.root.syscr ",
                ".syscallio.collector.task_exits ", ".syscallio.collector.notification_overflows ")) {
            assertTrue(lines.stream().anyMatch(line -> line.contains(metric)), metric + " missing from:\n" + result.stdout());
        }
        assertTrue(lines.stream().anyMatch(line -> line.matches(".*\\.collector\\.syscallio\\.errors 0 \\d+")),
                "the collector ran without errors:\n" + result.stdout() + result.stderr());
    }

    @Test
    void receiveBufferOutOfRangeIsAConfigErrorOnOneLine(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gleaner.yaml");
        Files.writeString(config, "collectors:\n  syscallio:\n    receive_buffer: 1\n");
        Cmd.Result result = Cmd.run(Duration.ofSeconds(60),
                gleaner(), "agent", "--stdout", "--cycles", "1", "--config", config.toString(), "--collectors", "syscallio");
        assertEquals(2, result.exit(), result.stderr());
        assertEquals(1, result.stderr().strip().lines().count(), result.stderr());
        assertTrue(result.stderr().contains("receive_buffer"), result.stderr());
    }
}
