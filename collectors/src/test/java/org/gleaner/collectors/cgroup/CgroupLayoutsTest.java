package org.gleaner.collectors.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.gleaner.collectors.procfs.MountInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector on fixture trees of every cgroup layout: pure v2, v1 (Fedora and LXC styles), hybrid. */
class CgroupLayoutsTest {
    private static final String DOCKER_V2 = "4f1c3a9e2b7d";
    private static final String DOCKER_V1 = "9a8b7c6d5e4f";

    private static RecordingSink collect(String layout) throws IOException {
        try (CgroupCollector collector = Fixtures.collector(Fixtures.root(layout))) {
            return Fixtures.collectOnce(collector);
        }
    }

    /** The unit names reported: every path's components before its first metric group. */
    private static Set<String> units(RecordingSink sink) {
        Set<String> units = new TreeSet<>();
        for (List<String> path : sink.counters.keySet()) {
            for (int i = 0; i < path.size(); i++) {
                if (List.of("cpu", "memory", "io", "io_bfq", "pids", "pressure").contains(path.get(i))) {
                    units.add(String.join(".", path.subList(0, i)));
                    break;
                }
            }
        }
        return units;
    }

    @Test
    void pureV2() throws IOException {
        RecordingSink sink = collect("v2");
        assertEquals(new TreeSet<>(List.of("services.nginx", "services.getty.tty1", "slices.system", "slices.system.getty",
                "scopes.init", "containers.docker." + DOCKER_V2, "slices.user", "users.1000", "users.1000.sessions.2",
                "users.1000.manager", "users.1000.slices.app", "users.1000.services.pipewire")), units(sink));
        String[] nginx = {"services", "nginx"};
        assertEquals(4_200_000L, sink.counter(path(nginx, "cpu", "usage_usec")));
        assertEquals(2_800_000L, sink.counter(path(nginx, "cpu", "user_usec")));
        assertEquals(1_400_000L, sink.counter(path(nginx, "cpu", "system_usec")));
        assertEquals(104_857_600.0, sink.gauge(path(nginx, "memory", "current")));
        assertEquals(0.0, sink.gauge(path(nginx, "memory", "swap")));
        assertEquals(52_428_800.0, sink.gauge(path(nginx, "memory", "anon")));
        assertEquals(8192.0, sink.gauge(path(nginx, "memory", "sock")));
        assertEquals(918_273L, sink.counter(path(nginx, "memory", "pgfault")));
        assertEquals(12L, sink.counter(path(nginx, "memory", "events", "high")));
        assertEquals(3L, sink.counter(path(nginx, "memory", "events", "max")));
        assertEquals(2L, sink.counter(path(nginx, "memory", "events", "oom")));
        assertEquals(1L, sink.counter(path(nginx, "memory", "events", "oom_kill")));
        assertEquals(211L, sink.counter(path(nginx, "memory", "pgmajfault")));
        assertEquals(52_428_800L, sink.counter(path(nginx, "io", "sda", "rbytes")));
        assertEquals(640L, sink.counter(path(nginx, "io", "sda", "wios")));
        assertEquals(10_485_760L, sink.counter(path(nginx, "io", "vg0-root", "wbytes")), "device-mapper name from dm/name");
        assertEquals(5.0, sink.gauge(path(nginx, "pids", "current")));
        assertEquals(1.25, sink.gauge(path(nginx, "pressure", "io", "some", "avg10")));
        assertEquals(40_617L, sink.counter(path(nginx, "pressure", "io", "full", "total_usec")));
        assertEquals(1520L, sink.counter(path(nginx, "pressure", "memory", "some", "total_usec")));
        String[] pipewire = {"users", "1000", "services", "pipewire"};
        assertEquals(20_971_520.0, sink.gauge(path(pipewire, "memory", "current")));
        assertNull(sink.counter(path(pipewire, "io", "sda", "rbytes")), "io is not enabled for it");
        assertEquals(12.0, sink.gauge("collector", "units"));
        assertEquals(0.0, sink.gauge("collector", "malformed_files"));
    }

    @Test
    void v1FedoraStyleWithCoMountedCpuAndNamedSystemdHierarchy() throws IOException {
        RecordingSink sink = collect("v1-fedora");
        assertEquals(new TreeSet<>(List.of("services.nginx", "services.sshd", "slices.system", "slices.user", "users.1000",
                "users.1000.sessions.2", "containers.docker." + DOCKER_V1)), units(sink));
        String[] nginx = {"services", "nginx"};
        assertEquals(4_200_000L, sink.counter(path(nginx, "cpu", "usage_usec")), "cpuacct.usage is in ns");
        assertEquals(3_000_000L, sink.counter(path(nginx, "cpu", "user_usec")), "cpuacct.stat is in USER_HZ ticks");
        assertEquals(1_200_000L, sink.counter(path(nginx, "cpu", "system_usec")));
        assertEquals(104_857_600.0, sink.gauge(path(nginx, "memory", "current")));
        assertEquals(10_485_760.0, sink.gauge(path(nginx, "memory", "swap")), "memsw minus usage");
        assertEquals(52_428_800.0, sink.gauge(path(nginx, "memory", "anon")), "from total_rss");
        assertEquals(26_214_400.0, sink.gauge(path(nginx, "memory", "file")), "from total_cache");
        assertEquals(2_097_152.0, sink.gauge(path(nginx, "memory", "anon_thp")));
        assertEquals(29_124L, sink.counter(path(nginx, "memory", "pgfault")));
        assertEquals(52_428_800L, sink.counter(path(nginx, "io", "sda", "rbytes")));
        assertEquals(10_485_760L, sink.counter(path(nginx, "io", "sda", "wbytes")));
        assertEquals(2560L, sink.counter(path(nginx, "io", "sda", "wios")));
        assertEquals(65_536L, sink.counter("services", "sshd", "io_bfq", "sda", "wbytes"));
        assertEquals(16L, sink.counter("services", "sshd", "io_bfq", "sda", "wios"));
        assertEquals(5.0, sink.gauge(path(nginx, "pids", "current")));
        assertEquals(120L, sink.counter(path(nginx, "cpu", "nr_periods")), "throttling from the cpu controller's cpu.stat");
        assertEquals(7L, sink.counter(path(nginx, "cpu", "nr_throttled")));
        assertEquals(3_500_000L, sink.counter(path(nginx, "cpu", "throttled_usec")), "throttled_time is in ns");
        assertEquals(41L, sink.counter(path(nginx, "memory", "events", "max")), "from memory.failcnt");
        assertEquals(2L, sink.counter(path(nginx, "memory", "events", "oom_kill")), "from memory.oom_control");
        assertNull(sink.counter(path(nginx, "memory", "events", "oom")), "v1 does not count it");
        assertTrue(sink.counters.keySet().stream().noneMatch(p -> p.contains("pressure")), "v1 has no pressure files");
    }

    @Test
    void v1FedoraLayoutIsDiscoveredFromMountinfo() throws IOException {
        CgroupLayout layout = CgroupLayout.of(MountInfo.parse(Files.readString(Fixtures.root("v1-fedora").resolve("proc/self/mountinfo"))));
        assertNull(layout.unified());
        assertSame(layout.v1("cpu"), layout.v1("cpuacct"), "co-mounted");
        assertEquals("/sys/fs/cgroup/cpu,cpuacct", layout.v1("cpuacct").mountPoint());
        assertEquals("/sys/fs/cgroup/memory", layout.v1("memory").mountPoint(), "the bind mount of a sub-tree is not used");
        assertEquals(Set.of("net_cls", "net_prio"), layout.v1("net_prio").controllers());
        assertEquals(1, layout.named().size());
        assertEquals("systemd", layout.named().get(0).name());
        assertFalse(layout.byController().containsKey("name=systemd"));
        assertFalse(layout.byController().containsKey("seclabel"));
    }

    @Test
    void v1LxcStyleAllControllersInOneHierarchy() throws IOException {
        RecordingSink sink = collect("v1-lxc");
        assertEquals(new TreeSet<>(List.of("containers.lxc.tinderbox", "containers.lxc.web 01", "containers.lxc.gentoo-dev")), units(sink));
        String[] tinderbox = {"containers", "lxc", "tinderbox"};
        assertEquals(7_200_000_000L, sink.counter(path(tinderbox, "cpu", "usage_usec")));
        assertEquals(3_221_225_472.0, sink.gauge(path(tinderbox, "memory", "current")));
        assertEquals(10_737_418_240L, sink.counter(path(tinderbox, "io", "excelsior-lxc", "wbytes")), "non-recursive files of older kernels");
        assertEquals(1_048_576L, sink.counter("containers", "lxc", "web 01", "io", "excelsior-lxc", "wbytes"));
    }

    @Test
    void hybridCapturedOnThisMachine() throws IOException {
        RecordingSink sink = collect("hybrid");
        assertEquals(new TreeSet<>(List.of("services.gleaner-capture", "services.getty.tty1", "slices.system", "slices.system.getty",
                "slices.user", "users.1000", "users.1000.sessions.3")), units(sink));
        String[] capture = {"services", "gleaner-capture"};
        assertEquals(785_787L, sink.counter(path(capture, "cpu", "usage_usec")), "from v1 cpuacct, where the unit has a directory");
        assertEquals(4_194_304L, sink.counter(path(capture, "io", "vda", "wbytes")));
        assertEquals(835_066L, sink.counter(path(capture, "pressure", "cpu", "full", "total_usec")), "pressure from the unified hierarchy");
        assertEquals(5.81, sink.gauge(path(capture, "pressure", "cpu", "some", "avg10")));
        assertEquals(1.0, sink.gauge("services", "getty", "tty1", "pids", "current"));
        assertTrue(sink.gauge("services", "getty", "tty1", "memory", "current") > 0);
        assertEquals(1.0, sink.gauge("users", "1000", "sessions", "3", "pids", "current"));
    }

    @Test
    void usesV2FilesForAUnitThatOnlyTheUnifiedHierarchyHas(@TempDir Path tmp) throws IOException {
        Path root = Fixtures.copy("hybrid", tmp);
        Path unit = root.resolve("sys/fs/cgroup/unified/system.slice/v2-only.service");
        Files.createDirectories(unit);
        Files.writeString(unit.resolve("cgroup.controllers"), "hugetlb\n");
        Files.writeString(unit.resolve("cpu.stat"), "usage_usec 1000042\nuser_usec 1000000\nsystem_usec 42\n");
        try (CgroupCollector collector = Fixtures.collector(root)) {
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertEquals(1_000_042L, sink.counter("services", "v2-only", "cpu", "usage_usec"));
            assertNull(sink.gauge("services", "v2-only", "memory", "current"), "memory is a v1 controller here");
        }
    }

    @Test
    void findsTheHierarchiesAgainWhenTheMountsChange(@TempDir Path tmp) throws IOException {
        Path root = Fixtures.copy("v2", tmp);
        try (CgroupCollector collector = Fixtures.collector(root)) {
            assertEquals(4_200_000L, Fixtures.collectOnce(collector).counter("services", "nginx", "cpu", "usage_usec"));
            // cgroup2 is now mounted elsewhere (with a space in its path, escaped in mountinfo)
            Path moved = root.resolve("run/cg two");
            Files.createDirectories(moved.getParent());
            Files.move(root.resolve("sys/fs/cgroup"), moved);
            Path mountinfo = root.resolve("proc/self/mountinfo");
            Files.writeString(mountinfo, Files.readString(mountinfo).replace(" /sys/fs/cgroup ", " /run/cg\\040two "));
            assertEquals(4_200_000L, Fixtures.collectOnce(collector).counter("services", "nginx", "cpu", "usage_usec"));
            assertEquals("/run/cg two", collector.layout().unified().mountPoint());
        }
    }

    private static String[] path(String[] unit, String... metric) {
        String[] path = new String[unit.length + metric.length];
        System.arraycopy(unit, 0, path, 0, unit.length);
        System.arraycopy(metric, 0, path, unit.length, metric.length);
        return path;
    }
}
