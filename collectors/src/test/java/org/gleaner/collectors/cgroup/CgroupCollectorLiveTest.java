package org.gleaner.collectors.cgroup;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;

/** The collector on this machine's real cgroups, with cgroups and processes the tests make. */
@Privileged("creates cgroups and moves processes into them")
class CgroupCollectorLiveTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final long MIB = 1024 * 1024;

    private static CgroupLayout liveLayout() throws IOException {
        return CgroupLayout.of(MountInfo.parse(Files.readString(Path.of("/proc/self/mountinfo"))));
    }

    private static CgroupCollector collectorFor(String unitPath, boolean blkioRules) {
        return new CgroupCollector(new CgroupCollector.Settings(Path.of("/"), List.of(unitPath), List.of(),
                CgroupCollector.Settings.DEFAULT_MAX_UNITS, blkioRules));
    }

    @Test
    void countsADirectWriteInAV1BlkioCgroupOnceTheAccountingRulesAreInstalled() throws Exception {
        CgroupLayout.Hierarchy blkio = liveLayout().v1("blkio");
        Requirements.require(blkio != null, "no cgroup v1 blkio hierarchy is mounted");
        String unit = "gleaner-test-" + PID + ".service";
        Path cgroup = Path.of(blkio.mountPoint(), unit);
        Path dataDir = Files.createTempDirectory(Path.of("/var/tmp"), "gleaner-blkio-");
        Path data = dataDir.resolve("written");
        String disk = wholeDiskOf(dataDir);
        Files.createDirectory(cgroup);
        try (CgroupCollector collector = collectorFor("/" + unit, true)) {
            collector.collect(new RecordingSink()); // installs the rules
            assertTrue(Files.readString(cgroup.resolve("blkio.throttle.write_bps_device")).contains(BlkioAccountingRules.UNLIMITED_BPS),
                    "no accounting rule was installed");

            Cmd.run(Duration.ofSeconds(60), "sh", "-c", "echo $$ > '" + cgroup.resolve("cgroup.procs")
                    + "' && exec dd if=/dev/zero of='" + data + "' bs=1M count=32 oflag=direct status=none").ok();

            RecordingSink sink = new RecordingSink();
            collector.collect(sink);
            String[] name = {"services", "gleaner-test-" + PID};
            Long written = sink.counter(name[0], name[1], "io", disk, "wbytes");
            assertNotNull(written, "no wbytes for " + disk + ":\n" + sink.dump(name));
            assertTrue(written >= 32 * MIB, "wbytes " + written + " < 32 MiB:\n" + sink.dump(name));
            assertTrue(sink.counter(name[0], name[1], "io", disk, "wios") >= 1, sink.dump(name));
        } finally {
            Files.deleteIfExists(data);
            Files.deleteIfExists(dataDir);
            removeCgroup(cgroup, Path.of(blkio.mountPoint()));
        }
    }

    @Test
    void reportsTheCpuTimeOfAProcessInAV2Cgroup() throws Exception {
        CgroupLayout.Hierarchy unified = liveLayout().unified();
        Requirements.require(unified != null, "no cgroup2 hierarchy is mounted");
        String unit = "gleaner-test-" + PID + "-cpu.service";
        Path cgroup = Path.of(unified.mountPoint(), unit);
        Files.createDirectory(cgroup);
        try (CgroupCollector collector = collectorFor("/" + unit, false)) {
            // Burns one second of CPU time (not wall time), so a busy machine does not shorten it.
            Cmd.run(Duration.ofSeconds(60), "sh", "-c", "echo $$ > '" + cgroup.resolve("cgroup.procs")
                    + "' && exec perl -e '1 while ((times)[0] + (times)[1]) < 1.0'").ok();

            RecordingSink sink = new RecordingSink();
            collector.collect(sink);
            String[] name = {"services", "gleaner-test-" + PID + "-cpu"};
            Long usage = sink.counter(name[0], name[1], "cpu", "usage_usec");
            assertNotNull(usage, "no cpu usage:\n" + sink.dump(name));
            assertTrue(usage >= 800_000 && usage <= 1_200_000, "usage " + usage + " usec is not about 1 s");
            Long user = sink.counter(name[0], name[1], "cpu", "user_usec");
            Long system = sink.counter(name[0], name[1], "cpu", "system_usec");
            assertTrue(user + system >= 800_000, "user+system " + (user + system));
            assertNotNull(sink.counter(name[0], name[1], "pressure", "cpu", "some", "total_usec"), sink.dump(name));
        } finally {
            removeCgroup(cgroup, Path.of(unified.mountPoint()));
        }
    }

    /** The whole disk holding {@code dir} as sysfs names it (a partition's parent), or the test is skipped. */
    private static String wholeDiskOf(Path dir) throws IOException {
        long dev = (Long) Files.getAttribute(dir, "unix:dev");
        long major = (dev >>> 8) & 0xfff | (dev >>> 32) & ~0xfffL;
        long minor = dev & 0xff | (dev >>> 12) & ~0xffL;
        Path sys = Path.of("/sys/dev/block/" + major + ":" + minor);
        Requirements.require(Files.exists(sys), dir + " is not on a block device (" + major + ":" + minor + ")");
        Path device = sys.toRealPath();
        if (Files.exists(device.resolve("partition"))) {
            device = device.getParent();
        }
        Path dmName = device.resolve("dm/name");
        return Files.exists(dmName) ? Files.readString(dmName, StandardCharsets.UTF_8).strip() : device.getFileName().toString();
    }

    /** Moves any process left behind to the hierarchy's root, then removes the cgroup. */
    static void removeCgroup(Path cgroup, Path hierarchyRoot) throws IOException, InterruptedException {
        if (!Files.exists(cgroup)) {
            return;
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            for (String pid : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                try {
                    Files.writeString(hierarchyRoot.resolve("cgroup.procs"), pid);
                } catch (IOException exited) {
                    // it exited meanwhile
                }
            }
            try {
                Files.delete(cgroup);
                return;
            } catch (IOException busy) {
                Thread.sleep(100); // a process that just exited may still be counted for a moment
            }
        }
        throw new IOException("cannot remove test cgroup " + cgroup);
    }
}
