package org.gleaner.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.TestCgroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cgroup collector run by the real agent: {@code bin/gleaner agent --stdout --collectors cgroup}. */
@Privileged("creates cgroups and moves processes into them")
class CgroupCollectorAgentTest {
    private static final long PID = ProcessHandle.current().pid();

    private static String runAgent(Path config) {
        Path gleaner = Requirements.repoRoot().resolve("bin/gleaner");
        Requirements.require(Files.exists(Requirements.repoRoot().resolve("agent/target/gleaner.jar")),
                "the shaded jar is not built (mvn package -DskipTests)");
        return Cmd.run(Duration.ofSeconds(60), gleaner.toString(), "agent", "--config", config.toString(),
                "--stdout", "--cycles", "1", "--collectors", "cgroup").ok().stdout();
    }

    /** The value of the one line naming {@code metric}. */
    private static double value(String output, String metric) {
        Matcher line = Pattern.compile("^" + Pattern.quote(metric) + " (\\S+) \\d+$", Pattern.MULTILINE).matcher(output);
        assertTrue(line.find(), "no " + metric + " in:\n" + output);
        return Double.parseDouble(line.group(1));
    }

    @Test
    void reportsBlockIoAndCpuTimeOfUnits(@TempDir Path tmp) throws IOException {
        String ioUnit = "gleaner-agent-test-" + PID + "-io";
        String cpuUnit = "gleaner-agent-test-" + PID + "-cpu";
        Path config = tmp.resolve("gleaner.yaml");
        Files.writeString(config, String.join("\n", List.of(
                "prefix: test", "counters: raw", "interval: 1s", "collectors:", "  cgroup:",
                "    include: ['services.gleaner-agent-test-" + PID + "-*']", "    blkio_accounting_rules: true", "")));
        Path dataDir = Files.createTempDirectory(Path.of("/var/tmp"), "gleaner-agent-blkio-");
        Path data = dataDir.resolve("written");
        try (TestCgroup blkio = TestCgroup.v1("blkio", ioUnit + ".service");
             TestCgroup unified = TestCgroup.unified(cpuUnit + ".service")) {
            String disk = TestCgroup.wholeDiskOf(dataDir);
            String first = runAgent(config); // installs the accounting rules
            assertEquals(2.0, value(first, "test.cgroup.collector.units"));

            Cmd.run(Duration.ofSeconds(60), "sh", "-c", blkio.shellEnter()
                    + " && exec dd if=/dev/zero of='" + data + "' bs=1M count=32 oflag=direct status=none").ok();
            Cmd.run(Duration.ofSeconds(60), "sh", "-c", unified.shellEnter()
                    + " && exec perl -e '1 while ((times)[0] + (times)[1]) < 1.0'").ok();

            String second = runAgent(config);
            double written = value(second, "test.cgroup.services." + ioUnit + ".io." + disk + ".wbytes");
            assertTrue(written >= 32 << 20, "wbytes " + written);
            double usage = value(second, "test.cgroup.services." + cpuUnit + ".cpu.usage_usec");
            assertTrue(usage >= 800_000 && usage <= 1_200_000, "usage_usec " + usage);
        } finally {
            Files.deleteIfExists(data);
            Files.deleteIfExists(dataDir);
        }
    }

    @Test
    void anEmptyPatternIsAConfigErrorNamingTheKey(@TempDir Path tmp) throws IOException {
        Path config = tmp.resolve("gleaner.yaml");
        Files.writeString(config, "collectors:\n  cgroup:\n    exclude: ['']\n");
        Cmd.Result result = Cmd.run(Duration.ofSeconds(30), Requirements.repoRoot().resolve("bin/gleaner").toString(),
                "agent", "--config", config.toString(), "--stdout", "--cycles", "1", "--collectors", "cgroup");
        assertTrue(result.exit() != 0, "accepted an empty pattern");
        assertTrue(result.stderr().contains("exclude") && result.stderr().strip().lines().count() == 1, result.stderr());
    }
}
