package org.gleaner.agent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.agent.AgentRun;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** systemd/gleaner.service passes systemd-analyze verify, with ExecStart pointed at this checkout's launcher. */
class ServiceUnitTest {
    static final Path UNIT = Requirements.repoRoot().resolve("systemd/gleaner.service");

    static Cmd.Result verify(Path dir, String unitText) throws Exception {
        Path systemdAnalyze = Requirements.requireTool("systemd-analyze");
        Path copy = dir.resolve("gleaner.service");
        Files.writeString(copy, unitText);
        return Cmd.run(Duration.ofSeconds(60), systemdAnalyze.toString(), "verify", copy.toString());
    }

    static String pointedAtCheckout() throws Exception {
        return Files.readString(UNIT).replace("ExecStart=/usr/bin/gleaner ", "ExecStart=" + AgentRun.launcher() + " ");
    }

    @Test
    void verifies(@TempDir Path dir) throws Exception {
        String unit = pointedAtCheckout();
        assertTrue(unit.contains("ExecStart=" + AgentRun.launcher() + " agent"), "ExecStart was rewritten");
        Cmd.Result result = verify(dir, unit);
        assertEquals(0, result.exit(), result.stderr());
        List<String> aboutUs = result.stderr().lines().filter(line -> line.contains("gleaner")).toList();
        assertEquals(List.of(), aboutUs);
    }

    @Test
    void verifyWouldCatchAMistake(@TempDir Path dir) throws Exception {
        Cmd.Result result = verify(dir, pointedAtCheckout().replace("Type=notify", "Type=notfy"));
        assertTrue(result.stderr().contains("gleaner.service"), result.stderr());
        Cmd.Result missing = verify(dir, Files.readString(UNIT).replace("ExecStart=/usr/bin/gleaner ", "ExecStart=/nonexistent/gleaner "));
        assertNotEquals(0, missing.exit(), missing.stderr());
    }

    @Test
    void isHardenedAndNotifies() throws Exception {
        List<String> lines = Files.readAllLines(UNIT);
        for (String expected : List.of("Type=notify", "NoNewPrivileges=yes", "ProtectSystem=strict", "StateDirectory=gleaner",
                "ProtectHome=read-only", "PrivateTmp=yes",
                "CapabilityBoundingSet=CAP_NET_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH")) {
            assertTrue(lines.contains(expected), expected);
        }
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("WatchdogSec=")));
    }
}
