package org.gleaner.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NavigableMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.testkit.CarbonCache;
import org.gleaner.testkit.Privileged;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The .deb in a booted Debian 12: installed with the README's apt command (Java comes from the tree's
 * apt cache), the service enabled and started through READY=1 with /tmp and /var/tmp noexec for it,
 * watchdog, datapoints in a real carbon-cache read back from whisper, watchdog failure, stop, reload,
 * the security score, purge. The methods run in order on one booted tree.
 */
@Privileged("mounts an overlay and boots systemd in systemd-nspawn")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebPackageTest {
    /** The README's install command, run as written in a directory laid out like a checkout. */
    static final String README_INSTALL = "apt install ./packaging/target/dist/gleaner_*_amd64.deb";
    static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for gleaner.service: ([0-9.]+)");
    static final Duration CARBON_LIMIT = Duration.ofSeconds(30);

    DebianTree.Overlay tree;
    BootedSystem system;
    CarbonCache carbon;

    @BeforeAll
    void bootWithThePackage() throws Exception {
        DebianTree.startBuilding();
        Packages packages = Packages.built();
        tree = new DebianTree.Overlay();
        Path dist = tree.root.resolve("root/packaging/target/dist");
        Files.createDirectories(dist);
        Files.copy(packages.deb, dist.resolve(packages.deb.getFileName()));
        // an interactive admin answers apt's question; the test says yes up front
        Files.writeString(tree.root.resolve("etc/apt/apt.conf.d/90assume-yes"), "APT::Get::Assume-Yes \"true\";\n");
        // the agent must start with /tmp and /var/tmp noexec (the JVM would otherwise map natives from there)
        Path dropIns = Files.createDirectories(tree.root.resolve("etc/systemd/system/gleaner.service.d"));
        Files.writeString(dropIns.resolve("noexec-tmp.conf"), "[Service]\nNoExecPaths=/tmp /var/tmp\n");
        system = BootedSystem.boot(tree.root);
        carbon = CarbonCache.startIn(system.networkNamespace());
    }

    @AfterAll
    void powerOff() throws Exception {
        try {
            if (carbon != null) {
                carbon.close();
            }
            if (system != null) {
                system.close();
            }
        } finally {
            if (tree != null) {
                tree.close();
            }
        }
    }

    @Test
    @Order(1)
    void installEnablesAndStartsTheServiceThroughReadyAndItDeliversToCarbon() throws Exception {
        system.sh("cd /root && DEBIAN_FRONTEND=noninteractive " + README_INSTALL);
        assertEquals("enabled", system.run("systemctl", "is-enabled", "gleaner").stdout().strip());
        assertEquals("active", system.property("gleaner", "ActiveState"));
        // Type=notify: active only on READY=1, which the JVM sends after start-up, well after exec
        long exec = Long.parseLong(system.property("gleaner", "ExecMainStartTimestampMonotonic"));
        long active = Long.parseLong(system.property("gleaner", "ActiveEnterTimestampMonotonic"));
        assertTrue(active - exec > 100_000, "active " + (active - exec) + " µs after exec");
        assertTrue(system.property("gleaner", "StatusText").startsWith("collecting every")
                || system.property("gleaner", "StatusText").startsWith("cycle "), system.property("gleaner", "StatusText"));

        writeConfig("e2e");
        system.sh("systemctl restart gleaner");
        long since = System.currentTimeMillis() / 1000;
        String firstFeed = system.property("gleaner", "WatchdogTimestampMonotonic");
        Thread.sleep(3_000);
        assertNotEquals(firstFeed, system.property("gleaner", "WatchdogTimestampMonotonic"), "the watchdog is fed");
        assertTrue(system.property("gleaner", "StatusText").matches("cycle \\d+: \\d+ datapoints, .*"),
                system.property("gleaner", "StatusText"));
        NavigableMap<Long, Double> load = carbon.awaitPoints("e2e.system.loadavg.1min", since - 1, since + 120, 2, CARBON_LIMIT);
        assertTrue(load.size() >= 2, load + "\n" + carbon.logTail());
        for (String collector : List.of("memory", "cgroup")) {
            assertTrue(Files.isDirectory(carbon.whisperFile("e2e." + collector + ".any").getParent()),
                    collector + " delivers too");
        }

        // the only complaint: taskstats refuses listeners outside the initial namespaces (kernel/taskstats.c)
        List<String> warnings = system.run("sh", "-c", "journalctl -q -o cat -p warning _SYSTEMD_INVOCATION_ID="
                + system.property("gleaner", "InvocationID")).stdout().lines().toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("collector syscallio cannot start"), warnings.toString());
        assertEquals("/usr/share/gleaner/gleaner.jar", jarOfTheService());

        // the class-data-sharing archive postinst made for this JDK serves the tools' own classes
        assertEquals(0, system.run("test", "-s", "/var/cache/gleaner/gleaner.jsa").exit(), "postinst made the archive");
        String loaded = system.sh("GLEANER_JAVA_OPTS=-Xlog:class+load=info:stderr ps-mem --pid 1 2>&1 >/dev/null");
        assertTrue(loaded.contains("org.gleaner.agent.cli.PsMemCommand source: shared objects file"),
                loaded.lines().filter(line -> line.contains("PsMemCommand")).toList().toString());
    }

    @Test
    @Order(2)
    void withoutItsNativesUnderUsrANoexecTmpKillsTheAgent() throws Exception {
        system.sh("mkdir -p /run/systemd/system/gleaner.service.d && printf '[Service]\\nInaccessiblePaths=/usr/lib/gleaner/native\\nRestart=no\\n'"
                + " > /run/systemd/system/gleaner.service.d/no-natives.conf && systemctl daemon-reload");
        try {
            assertNotEquals(0, system.run("systemctl", "restart", "gleaner").exit());
            String invocation = system.property("gleaner", "InvocationID");
            String log = "";
            // journald takes the service's stderr stream a moment after the process has gone
            for (int i = 0; i < 50 && !log.contains("UnsatisfiedLinkError"); i++) {
                Thread.sleep(200);
                log = system.run("journalctl", "-q", "-o", "cat", "_SYSTEMD_INVOCATION_ID=" + invocation).stdout();
            }
            assertTrue(log.contains("UnsatisfiedLinkError"), log);
        } finally {
            system.sh("rm /run/systemd/system/gleaner.service.d/no-natives.conf && systemctl daemon-reload"
                    + " && systemctl reset-failed gleaner && systemctl start gleaner");
        }
        assertEquals("active", system.property("gleaner", "ActiveState"));
    }

    @Test
    @Order(3)
    void aStoppedProcessEndsInAWatchdogTimeout() throws Exception {
        system.sh("mkdir -p /run/systemd/system/gleaner.service.d && printf '[Service]\\nWatchdogSec=2s\\nRestart=no\\n'"
                + " > /run/systemd/system/gleaner.service.d/watchdog.conf && systemctl daemon-reload");
        try {
            system.sh("systemctl restart gleaner && systemctl kill --signal=SIGSTOP gleaner");
            String result = "";
            for (int i = 0; i < 100 && !result.equals("watchdog"); i++) {
                Thread.sleep(200);
                result = system.property("gleaner", "Result");
            }
            assertEquals("watchdog", result);
        } finally {
            system.sh("rm /run/systemd/system/gleaner.service.d/watchdog.conf && systemctl daemon-reload"
                    + " && systemctl reset-failed gleaner && systemctl start gleaner");
        }
    }

    @Test
    @Order(4)
    void reloadAppliesAChangedConfigInTheSameProcess() throws Exception {
        String pid = system.property("gleaner", "MainPID");
        long since = System.currentTimeMillis() / 1000;
        writeConfig("e2e-reloaded");
        system.sh("systemctl reload gleaner");
        NavigableMap<Long, Double> load = carbon.awaitPoints("e2e-reloaded.system.loadavg.1min", since - 1, since + 120, 2, CARBON_LIMIT);
        assertTrue(load.size() >= 2, load.toString());
        assertEquals(pid, system.property("gleaner", "MainPID"));
    }

    @Test
    @Order(5)
    void anUpgradeRestartsTheServiceAndKeepsTheChangedConfig() throws Exception {
        String pid = system.property("gleaner", "MainPID");
        system.sh("cd /root && dpkg -i packaging/target/dist/gleaner_*_amd64.deb");
        assertEquals("active", system.property("gleaner", "ActiveState"));
        assertNotEquals(pid, system.property("gleaner", "MainPID"));
        assertTrue(system.sh("cat /etc/gleaner/gleaner.yaml").contains("hostname: e2e-reloaded"));
    }

    @Test
    @Order(6)
    void stopDrainsAndExitsZero() throws Exception {
        long running = System.currentTimeMillis() / 1000;
        assertFalse(carbon.awaitPoints("e2e-reloaded.system.loadavg.1min", running, running + 60, 1, CARBON_LIMIT).isEmpty(),
                "the restarted agent delivers");
        system.sh("systemctl stop gleaner");
        long stopped = System.currentTimeMillis() / 1000;
        assertEquals("success", system.property("gleaner", "Result"));
        assertEquals("0", system.property("gleaner", "ExecMainStatus"));
        assertEquals("1", system.property("gleaner", "ExecMainCode"), "CLD_EXITED, not killed");
        String log = system.run("sh", "-c", "journalctl -q -o cat -u gleaner -n 20").stdout();
        assertTrue(log.contains("Deactivated successfully"), log);
        // what the last cycles collected reached carbon before the agent exited (carbon writes
        // whisper files a little later: wait for them); the upgrade restarted it with e2e-reloaded
        NavigableMap<Long, Double> load = carbon.awaitPoints("e2e-reloaded.system.loadavg.1min", stopped - 4, stopped + 1, 1, CARBON_LIMIT);
        assertFalse(load.isEmpty(), "datapoints of the last cycles before the stop");
    }

    @Test
    @Order(7)
    void securityExposureIsAtMostFourAndEachRemainingOneIsExplained() throws Exception {
        String report = system.run("systemd-analyze", "security", "--no-pager", "gleaner.service").stdout();
        Matcher level = EXPOSURE.matcher(report);
        assertTrue(level.find(), report);
        assertTrue(Double.parseDouble(level.group(1)) <= 4.0, report);
        String docs = Files.readString(Packages.REPO.resolve("docs/agent.md"));
        for (String line : report.lines().filter(line -> line.startsWith("✗")).toList()) {
            String setting = line.substring(1).strip().split("\\s+")[0];
            assertTrue(docs.contains("`" + setting + "`"), "docs/agent.md does not explain " + setting);
        }
    }

    @Test
    @Order(8)
    void purgeRemovesTheConfigTheUnitAndTheState() throws Exception {
        system.sh("systemctl start gleaner");
        assertTrue(system.run("test", "-d", "/var/lib/gleaner/spool").exit() == 0);
        system.sh("DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq gleaner");
        for (String path : List.of("/var/lib/gleaner", "/var/cache/gleaner", "/etc/gleaner", "/usr/share/gleaner", "/usr/bin/gleaner",
                "/etc/systemd/system/multi-user.target.wants/gleaner.service")) {
            assertNotEquals(0, system.run("test", "-e", path).exit(), path + " is left");
        }
        assertEquals("inactive", system.run("systemctl", "is-active", "gleaner").stdout().strip());
        assertEquals("", system.run("pgrep", "-f", "gleaner.jar").stdout().strip());
    }

    private String jarOfTheService() {
        String pid = system.property("gleaner", "MainPID");
        List<String> args = List.of(system.sh("tr '\\0' '\\n' < /proc/" + pid + "/cmdline").split("\n"));
        return args.get(args.indexOf("-cp") + 1);
    }

    private void writeConfig(String hostname) {
        system.sh("cat > /etc/gleaner/gleaner.yaml <<'EOF'\n"
                + "interval: 2s\n"
                + "hostname: " + hostname + "\n"
                + "carbon:\n"
                + "  destinations: [\"127.0.0.1:" + carbon.plaintextPort() + "\"]\n"
                + "EOF");
    }
}
