package org.gleaner.collectors.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.TestCgroup;
import org.junit.jupiter.api.Test;

/** The collector on this machine's real cgroups, with cgroups and processes the tests make. */
@Privileged("creates cgroups and moves processes into them")
class CgroupCollectorLiveTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final long MIB = 1024 * 1024;

    private static CgroupCollector collectorFor(String unit, boolean blkioRules) {
        return new CgroupCollector(new CgroupCollector.Settings(Path.of("/"), List.of("/" + unit), List.of(),
                CgroupCollector.Settings.DEFAULT_MAX_UNITS, blkioRules));
    }

    /**
     * A process that stays in {@code cgroup} until destroyed, so that a cgroup no service manager
     * made counts as holding processes; returns once the kernel shows it there.
     */
    private static Process resident(TestCgroup cgroup) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", cgroup.shellEnter() + " && exec sleep 120")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String pid = Long.toString(process.pid());
        for (int attempt = 0; attempt < 100; attempt++) {
            if (Files.readAllLines(cgroup.dir().resolve("cgroup.procs")).contains(pid)) {
                return process;
            }
            Thread.sleep(50);
        }
        process.destroyForcibly().waitFor();
        throw new AssertionError("process " + pid + " did not enter " + cgroup.dir());
    }

    /** Checks the accounting rule is in {@code cgroup}, then writes 32 MiB to {@code data} with O_DIRECT from it. */
    private static void writeDirectlyWithTheRuleInstalled(TestCgroup cgroup, Path data) throws Exception {
        assertTrue(Files.readString(cgroup.dir().resolve("blkio.throttle.write_bps_device"))
                .contains(BlkioAccountingRules.UNLIMITED_BPS), "no accounting rule was installed");
        Cmd.run(Duration.ofSeconds(60), "sh", "-c", cgroup.shellEnter()
                + " && exec dd if=/dev/zero of='" + data + "' bs=1M count=32 oflag=direct status=none").ok();
    }

    /** Burns one second of CPU time (not wall time, so a busy machine does not shorten it) in {@code cgroup}. */
    private static void burnOneCpuSecond(TestCgroup cgroup) {
        Cmd.run(Duration.ofSeconds(60), "sh", "-c", cgroup.shellEnter()
                + " && exec perl -e '1 while ((times)[0] + (times)[1]) < 1.0'").ok();
    }

    private static void stop(Process process) throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void countsADirectWriteInAPlainNamedV1BlkioCgroupByItsPath() throws Exception {
        String top = "gleaner-plain-" + PID;
        Path dataDir = Files.createTempDirectory(Path.of("/var/tmp"), "gleaner-blkio-");
        Path data = dataDir.resolve("written");
        Process resident = null;
        try (TestCgroup parent = TestCgroup.v1("blkio", top); TestCgroup job = TestCgroup.v1("blkio", top + "/job 1");
             CgroupCollector collector = collectorFor(top + "/**", true)) {
            String disk = TestCgroup.wholeDiskOf(dataDir);
            resident = resident(job);
            collector.collect(new RecordingSink()); // installs the rules in the cgroup holding processes
            writeDirectlyWithTheRuleInstalled(job, data);

            RecordingSink sink = new RecordingSink();
            collector.collect(sink);
            String[] name = {"cgroups", top, "job 1"};
            Long written = sink.counter(name[0], name[1], name[2], "io", disk, "wbytes");
            assertNotNull(written, "no wbytes for " + disk + ":\n" + sink.dump("cgroups"));
            assertTrue(written >= 32 * MIB, "wbytes " + written + " < 32 MiB:\n" + sink.dump(name));
            assertNull(sink.counter("cgroups", top, "io", disk, "wbytes"), "the parent holds no process itself");
            assertEquals(1.0, sink.gauge("collector", "units_reported"));
        } finally {
            stop(resident);
            Files.deleteIfExists(data);
            Files.deleteIfExists(dataDir);
        }
    }

    @Test
    void reportsTheCpuTimeOfAPlainNamedV2CgroupByItsPath() throws Exception {
        String top = "gleaner-plain-" + PID + "-cpu";
        Process resident = null;
        try (TestCgroup cgroup = TestCgroup.unified(top); CgroupCollector collector = collectorFor(top, false)) {
            resident = resident(cgroup);
            burnOneCpuSecond(cgroup);

            RecordingSink sink = new RecordingSink();
            collector.collect(sink);
            Long usage = sink.counter("cgroups", top, "cpu", "usage_usec");
            assertNotNull(usage, "no cpu usage:\n" + sink.dump("cgroups"));
            assertTrue(usage >= 800_000 && usage <= 1_200_000, "usage " + usage + " usec is not about 1 s");
            assertNotNull(sink.counter("cgroups", top, "pressure", "cpu", "some", "total_usec"), sink.dump("cgroups"));
        } finally {
            stop(resident);
        }
    }

    @Test
    void countsADirectWriteInAV1BlkioCgroupWithTheAccountingRulesInstalled() throws Exception {
        String unit = "gleaner-test-" + PID + ".service";
        Path dataDir = Files.createTempDirectory(Path.of("/var/tmp"), "gleaner-blkio-");
        Path data = dataDir.resolve("written");
        try (TestCgroup cgroup = TestCgroup.v1("blkio", unit); CgroupCollector collector = collectorFor(unit, true)) {
            String disk = TestCgroup.wholeDiskOf(dataDir);
            collector.collect(new RecordingSink()); // installs the rules
            writeDirectlyWithTheRuleInstalled(cgroup, data);

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
        }
    }

    @Test
    void reportsTheCpuTimeOfAProcessInAV2Cgroup() throws Exception {
        String unit = "gleaner-test-" + PID + "-cpu.service";
        try (TestCgroup cgroup = TestCgroup.unified(unit); CgroupCollector collector = collectorFor(unit, false)) {
            burnOneCpuSecond(cgroup);

            RecordingSink sink = new RecordingSink();
            collector.collect(sink);
            String[] name = {"services", "gleaner-test-" + PID + "-cpu"};
            Long usage = sink.counter(name[0], name[1], "cpu", "usage_usec");
            assertNotNull(usage, "no cpu usage:\n" + sink.dump(name));
            assertTrue(usage >= 800_000 && usage <= 1_200_000, "usage " + usage + " usec is not about 1 s");
            long userAndSystem = sink.counter(name[0], name[1], "cpu", "user_usec") + sink.counter(name[0], name[1], "cpu", "system_usec");
            assertTrue(userAndSystem >= 800_000 && userAndSystem <= 1_200_000, "user+system " + userAndSystem);
            assertNotNull(sink.counter(name[0], name[1], "pressure", "cpu", "some", "total_usec"), sink.dump(name));
        }
    }
}
