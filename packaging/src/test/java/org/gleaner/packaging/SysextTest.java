package org.gleaner.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.junit.jupiter.api.Test;

/**
 * The system extension in a booted Debian 12 with no Java and no /etc/gleaner: merged by hand as the
 * README says, and merged at boot with the reload unit; the service runs on the image's own runtime.
 */
@Privileged("mounts an overlay and boots systemd in systemd-nspawn")
class SysextTest {
    /** The README's commands for the directory form, run as written from a checkout-like directory. */
    static final String README_MERGE = "mkdir -p /var/lib/extensions && cp -r packaging/target/dist/gleaner-*-x86-64 /var/lib/extensions/ && systemd-sysext merge";
    static final String README_START = "systemctl daemon-reload && systemctl start gleaner";
    static final String README_ENABLE = "install -m 644 /usr/share/gleaner/gleaner-sysext-reload.service /etc/systemd/system/"
            + " && systemctl enable systemd-sysext.service gleaner-sysext-reload.service";

    @Test
    void mergedByHandTheServiceRunsOnTheImagesRuntimeAndUnmergeRemovesIt() throws Exception {
        DebianTree.startBuilding();
        Packages packages = Packages.built();
        try (DebianTree.Overlay tree = new DebianTree.Overlay()) {
            copyImage(packages, tree.root.resolve("root/packaging/target/dist"));
            try (BootedSystem system = BootedSystem.boot(tree.root)) {
                assertNotEquals(0, system.run("sh", "-c", "command -v java").exit(), "the tree has no Java");
                assertNotEquals(0, system.run("test", "-e", "/etc/gleaner").exit());
                system.sh("cd /root && " + README_MERGE);
                assertTrue(system.sh("systemd-sysext list --no-legend").contains(packages.sysextName()));
                assertEquals(0, system.run("test", "-x", "/usr/bin/gleaner").exit(), "merged");
                system.sh(README_START);
                assertEquals("active", system.property("gleaner", "ActiveState"));
                assertEquals("/usr/lib/gleaner/jre/bin/java", system.sh("readlink /proc/" + system.property("gleaner", "MainPID") + "/exe").strip());
                assertTrue(system.sh("gleaner --version").startsWith("gleaner "));
                system.sh(README_ENABLE);

                system.sh("systemctl stop gleaner && systemd-sysext unmerge");
                assertNotEquals(0, system.run("test", "-e", "/usr/bin/gleaner").exit(), "unmerge removes the programs");
                assertNotEquals(0, system.run("test", "-e", "/usr/lib/systemd/system/gleaner.service").exit());
            }
            // next boot: systemd-sysext.service merges, the reload unit makes PID 1 see and start gleaner
            try (BootedSystem system = BootedSystem.boot(tree.root)) {
                String state = "";
                for (int i = 0; i < 150 && !state.equals("active"); i++) {
                    Thread.sleep(200);
                    state = system.property("gleaner", "ActiveState");
                }
                assertEquals("active", state, system.run("journalctl", "-q", "-o", "cat", "-b", "-n", "40").stdout());
                assertEquals("active", system.property("gleaner-sysext-reload", "ActiveState"));
                String status = system.property("gleaner", "StatusText");
                assertTrue(status.startsWith("collecting every") || status.startsWith("cycle "), status);
            }
        }
    }

    @Test
    void theRawImageHoldsTheSameTreeAsTheDirectory() throws Exception {
        Packages packages = Packages.built();
        // unsquashfs lists the paths as squashfs-root/PATH
        List<String> inRaw = Cmd.run(Duration.ofMinutes(1), "unsquashfs", "-l", packages.raw.toString()).ok()
                .stdout().lines().filter(line -> line.startsWith("squashfs-root/"))
                .map(line -> line.substring("squashfs-root".length())).sorted().toList();
        List<String> inDir = Cmd.run(Duration.ofMinutes(1), "sh", "-c", "cd " + packages.sysextDir + " && find . -mindepth 1 | cut -c2-")
                .ok().stdout().lines().sorted().toList();
        assertTrue(inDir.contains("/usr/bin/gleaner"), inDir.toString());
        assertEquals(inDir, inRaw);
        Path release = packages.sysextDir.resolve("usr/lib/extension-release.d/extension-release." + packages.sysextName());
        assertEquals(List.of("ID=_any", "ARCHITECTURE=x86-64"), Files.readAllLines(release));
        String modules = Cmd.run(Duration.ofMinutes(1), packages.sysextDir.resolve("usr/lib/gleaner/jre/bin/java").toString(),
                "--list-modules").ok().stdout();
        assertTrue(modules.contains("jdk.unsupported") && !modules.contains("java.desktop"), modules);
    }

    static void copyImage(Packages packages, Path dist) throws Exception {
        Files.createDirectories(dist);
        Cmd.run(Duration.ofMinutes(2), "cp", "-a", packages.sysextDir.toString(), dist.toString()).ok();
    }
}
