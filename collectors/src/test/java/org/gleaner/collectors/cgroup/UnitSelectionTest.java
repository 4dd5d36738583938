package org.gleaner.collectors.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Include and exclude patterns, and the cap with the rest summed into "other", on the pure-v2 fixture (12 units). */
class UnitSelectionTest {

    private static RecordingSink collect(List<String> include, List<String> exclude, int maxUnits) throws IOException {
        try (CgroupCollector collector = Fixtures.collector(Fixtures.root("v2"), include, exclude, maxUnits)) {
            return Fixtures.collectOnce(collector);
        }
    }

    @Test
    void includeByUnitName() throws IOException {
        RecordingSink sink = collect(List.of("services.**"), List.of(), 1000);
        assertEquals(2.0, sink.gauge("collector", "units"), "nginx and getty.tty1; pipewire is users.1000.services.pipewire");
        assertNotNull(sink.counter("services", "getty", "tty1", "cpu", "usage_usec"));
        assertNull(sink.counter("slices", "system", "cpu", "usage_usec"));
    }

    @Test
    void singleStarStaysWithinAComponent() throws IOException {
        RecordingSink sink = collect(List.of("services.*"), List.of(), 1000);
        assertEquals(1.0, sink.gauge("collector", "units"));
        assertNotNull(sink.counter("services", "nginx", "cpu", "usage_usec"));
        RecordingSink byPath = collect(List.of("/system.slice/*.service"), List.of(), 1000);
        assertEquals(1.0, byPath.gauge("collector", "units"), "getty@tty1 is one level deeper");
    }

    @Test
    void excludeByCgroupPath() throws IOException {
        RecordingSink sink = collect(List.of(), List.of("/user.slice/**", "/user.slice", "scopes.?nit"), 1000);
        assertEquals(5.0, sink.gauge("collector", "units"), "12 less 6 in user.slice and init.scope");
        assertTrue(sink.counters.keySet().stream().noneMatch(path -> path.get(0).equals("users")));
        assertNull(sink.counter("scopes", "init", "cpu", "usage_usec"));
    }

    @Test
    void unitsOverTheCapAreSummedIntoOtherWithoutCountingNestedOnesTwice() throws IOException {
        RecordingSink sink = collect(List.of(), List.of(), 3);
        // Sorted by cgroup path, the first three are /init.scope, /system.slice and the docker scope.
        assertNotNull(sink.counter("scopes", "init", "cpu", "usage_usec"));
        assertNotNull(sink.counter("slices", "system", "cpu", "usage_usec"));
        assertNull(sink.counter("services", "nginx", "cpu", "usage_usec"));
        // other = nginx + system-getty.slice + user.slice; getty@tty1 and everything in user.slice are inside those
        assertEquals(4_200_000L + 20_000L + 800_000L, sink.counter("other", "cpu", "usage_usec"));
        assertEquals(52_428_800L, sink.counter("other", "io", "sda", "rbytes"));
        assertEquals(104_857_600.0 + 2_097_152.0 + 73_400_320.0, sink.gauge("other", "memory", "current"));
        assertEquals(12.0, sink.gauge("collector", "units"));
        assertEquals(3.0, sink.gauge("collector", "units_reported"));
        assertEquals(9.0, sink.gauge("collector", "units_in_other"));
    }

    @Test
    void aUnitKeepsItsPlaceUnderTheCapWhileItExists(@TempDir Path tmp) throws IOException {
        Path root = Fixtures.copy("v2", tmp);
        try (CgroupCollector collector = Fixtures.collector(root, List.of(), List.of(), 3)) {
            Fixtures.collectOnce(collector);
            Path early = root.resolve("sys/fs/cgroup/aaa.service");
            Files.createDirectories(early);
            Files.writeString(early.resolve("cpu.stat"), "usage_usec 5\n");
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertNull(sink.counter("services", "aaa", "cpu", "usage_usec"), "a newcomer does not push out a reported unit");
            assertNotNull(sink.counter("slices", "system", "cpu", "usage_usec"));
            Files.delete(early.resolve("cpu.stat"));
            Files.delete(early);
            deleteTree(root.resolve("sys/fs/cgroup/init.scope"));
            sink = Fixtures.collectOnce(collector);
            assertEquals(3.0, sink.gauge("collector", "units_reported"));
            assertNotNull(sink.counter("services", "nginx", "cpu", "usage_usec"), "the freed place goes to the next unit");
        }
    }

    @Test
    void cgroupsOutsideAnyUnitThatHoldProcessesAreNamedByTheirPath(@TempDir Path tmp) throws IOException {
        Path cgroups = Fixtures.copy("v2", tmp).resolve("sys/fs/cgroup");
        plainCgroup(cgroups.resolve("batch"), "", "usage_usec 30\n");
        plainCgroup(cgroups.resolve("batch/job 1.2"), "4242\n", "usage_usec 10\n");
        plainCgroup(cgroups.resolve("batch/idle"), "", "usage_usec 20\n");
        plainCgroup(cgroups.resolve("openrc.sshd/inner"), "99\n", "usage_usec 5\n");
        try (CgroupCollector collector = Fixtures.collector(tmp)) {
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertEquals(10L, sink.counter("cgroups", "batch", "job 1.2", "cpu", "usage_usec"), "each path component is one level");
            assertNull(sink.counter("cgroups", "batch", "cpu", "usage_usec"), "holds no process itself");
            assertNull(sink.counter("cgroups", "batch", "idle", "cpu", "usage_usec"));
            assertTrue(sink.counters.keySet().stream().noneMatch(path -> path.contains("inner")), "inside a unit");
            assertEquals(14.0, sink.gauge("collector", "units"), "12, openrc.sshd and batch/job 1.2");
        }
        try (CgroupCollector collector = Fixtures.collector(tmp, List.of(), List.of("cgroups.batch.**"), 1000)) {
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertNull(sink.counter("cgroups", "batch", "job 1.2", "cpu", "usage_usec"), "exclude applies");
            assertEquals(13.0, sink.gauge("collector", "units"));
        }
        try (CgroupCollector collector = Fixtures.collector(tmp, List.of("/batch/**"), List.of(), 0)) {
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertEquals(10L, sink.counter("other", "cpu", "usage_usec"), "include and the cap apply");
            assertEquals(1.0, sink.gauge("collector", "units_in_other"));
        }
    }

    private static void plainCgroup(Path dir, String procs, String cpuStat) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.procs"), procs);
        Files.writeString(dir.resolve("cpu.stat"), cpuStat);
    }

    @Test
    void anEmptyPatternIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Fixtures.collector(Fixtures.root("v2"), List.of(""), List.of(), 10));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            for (Path path : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
