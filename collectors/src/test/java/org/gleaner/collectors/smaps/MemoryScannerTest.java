package org.gleaner.collectors.smaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gleaner.testkit.CProgram;
import org.gleaner.testkit.MemHog;
import org.junit.jupiter.api.Test;

/** The engine on real processes with known memory (memhog), and on the whole of /proc. */
class MemoryScannerTest {
    private static final long MIB = 1024 * 1024;
    /** libc's data, the stack and stdio buffers: what a tiny C program has besides what it touched. */
    private static final long OVERHEAD = 1 * MIB;

    private static MemorySnapshot scan(SmapsSource source, List<Integer> pids) {
        return new MemoryScanner(MemoryScanner.Options.defaults(source))
                .scan(pids.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void privateAndSharedMemoryOfForkedProcesses() {
        Path memhog = CProgram.bundled("memhog");
        try (MemHog hog = new MemHog(MemHog.command(memhog, 8, 16, 2))) {
            List<Integer> pids = hog.touch(Duration.ofSeconds(20));
            MemorySnapshot snapshot = scan(SmapsSource.SMAPS, pids);
            assertEquals(3, snapshot.processes().size(), "parent and two children read");
            for (ProcessMemory process : snapshot.processes()) {
                assertEquals("memhog", process.command());
                assertTrue(process.exe().endsWith("/memhog"), process.exe());
                long privateBytes = process.usage().privateBytes();
                assertTrue(privateBytes >= 8 * MIB && privateBytes <= 8 * MIB + OVERHEAD, "private " + privateBytes);
                MappingMemory region = mapping(process, "/dev/zero (deleted)");
                assertEquals(16 * MIB, region.usage().sharedBytes(), "the MAP_SHARED region, all of it resident");
                assertEquals(0, region.usage().privateBytes());
                assertEquals(16 * MIB / 3, region.usage().pss(), 3 * 4096, "a third of it each");
            }
            MemoryGroup group = MemoryGroups.of(snapshot.processes()).groups().get(0);
            long groupPrivate = group.usage().privateBytes();
            assertTrue(groupPrivate >= 24 * MIB && groupPrivate <= 24 * MIB + 3 * OVERHEAD, "group private " + groupPrivate);
            long largestShared = snapshot.processes().stream().mapToLong(p -> p.usage().sharedBytes()).max().orElseThrow();
            assertTrue(group.usage().sharedBytes() >= largestShared && group.usage().sharedBytes() <= largestShared + OVERHEAD,
                    "the shared region counts once in the group: " + group.usage().sharedBytes() + " vs " + largestShared);
        }
    }

    @Test
    void scanWithoutCmdlinesReadsTheSameProcessesAndGroups() {
        Path memhog = CProgram.bundled("memhog");
        try (MemHog hog = new MemHog(MemHog.command(memhog, 1, 1, 1))) {
            int[] pids = hog.touch(Duration.ofSeconds(20)).stream().mapToInt(Integer::intValue).toArray();
            MemorySnapshot with = new MemoryScanner(MemoryScanner.Options.defaults(SmapsSource.ROLLUP)).scan(pids);
            MemorySnapshot without = new MemoryScanner(MemoryScanner.Options.defaults(SmapsSource.ROLLUP).withoutCmdlines()).scan(pids);
            assertEquals(2, without.processes().size());
            for (int i = 0; i < pids.length; i++) {
                assertFalse(with.processes().get(i).cmdline().isEmpty(), "read by default");
                assertEquals(List.of(), without.processes().get(i).cmdline());
                assertEquals(with.processes().get(i).command(), without.processes().get(i).command());
            }
            assertEquals(MemoryGroups.of(with.processes()).groups().stream().map(MemoryGroup::name).toList(),
                    MemoryGroups.groupsOf(without.processes()).stream().map(MemoryGroup::name).toList());
        }
    }

    @Test
    void rollupAgreesWithSmaps() {
        try (MemHog hog = new MemHog(MemHog.command(CProgram.bundled("memhog"), 12, 4, 0))) {
            List<Integer> pids = hog.touch(Duration.ofSeconds(20));
            ProcessMemory detailed = scan(SmapsSource.SMAPS, pids).processes().get(0);
            ProcessMemory rollup = scan(SmapsSource.ROLLUP, pids).processes().get(0);
            assertEquals(List.of(MappingMemory.ROLLUP), rollup.mappings().stream().map(MappingMemory::name).toList());
            assertEquals(detailed.usage().privateBytes(), rollup.usage().privateBytes(), 64 * 1024);
            assertEquals(detailed.usage().pss(), rollup.usage().pss(), 64 * 1024);
            assertEquals(rollup.usage(), MemoryGroups.of(List.of(rollup)).groups().get(0).usage());
        }
    }

    @Test
    void wholeMachineAddsUpAndSkipsKernelThreads() {
        MemoryScanner scanner = new MemoryScanner(MemoryScanner.Options.defaults(SmapsSource.SMAPS));
        MemorySnapshot snapshot = scanner.scan(scanner.listPids());
        assertFalse(snapshot.processes().isEmpty());
        assertTrue(snapshot.processes().stream().noneMatch(p -> p.pid() == 2), "kthreadd is a kernel thread");
        long processPss = snapshot.processes().stream().mapToLong(p -> p.usage().pss()).sum();
        long processSwapPss = snapshot.processes().stream().mapToLong(p -> p.usage().swapPss()).sum();
        List<MemoryGroup> groups = MemoryGroups.of(snapshot.processes()).groups();
        assertEquals(processPss, groups.stream().mapToLong(g -> g.usage().pss()).sum(), "groups' Pss = processes' Pss");
        assertEquals(processSwapPss, groups.stream().mapToLong(g -> g.usage().swapPss()).sum());
        for (MemoryGroup group : groups) {
            long sharedSum = group.processes().stream().mapToLong(p -> p.usage().sharedBytes()).sum();
            assertTrue(group.usage().sharedBytes() <= sharedSum, group.name());
            assertEquals(group.processes().stream().mapToLong(p -> p.usage().privateBytes()).sum(), group.usage().privateBytes());
        }
    }

    @Test
    void exitedProcessIsVanishedNotAnError() throws Exception {
        Process process = new ProcessBuilder("true").start();
        int pid = (int) process.pid();
        process.waitFor();
        ProcessReader.Result result = new ProcessReader(Path.of("/proc"), SmapsSource.SMAPS, true).read(pid, Long.MAX_VALUE);
        assertEquals(ProcessReader.Status.VANISHED, result.status());
    }

    /** What ProcessReader relies on against pid reuse: a held /proc/PID refuses opens once the process is reaped. */
    @Test
    void heldProcessDirectoryFailsOnceTheProcessIsGone() throws Exception {
        Process process = new ProcessBuilder("sleep", "60").start();
        try (var directory = Files.newDirectoryStream(Path.of("/proc", Long.toString(process.pid())))) {
            var held = (SecureDirectoryStream<Path>) directory;
            held.newByteChannel(Path.of("smaps"), Set.of(StandardOpenOption.READ)).close();
            process.destroyForcibly();
            process.waitFor();
            assertThrows(IOException.class, () ->
                    held.newByteChannel(Path.of("smaps"), Set.of(StandardOpenOption.READ)).close());
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void exhaustedBudgetIsReportedNotWaitedFor() {
        MemoryScanner scanner = new MemoryScanner(MemoryScanner.Options.defaults(SmapsSource.SMAPS)
                .withBudgets(Duration.ofSeconds(1), Duration.ZERO));
        MemorySnapshot snapshot = scanner.scan(scanner.listPids());
        assertTrue(snapshot.processes().isEmpty());
        assertTrue(snapshot.overBudget() > 0);
    }

    @Test
    void processOverItsOwnBudgetIsAbandoned() {
        try (MemHog hog = new MemHog(MemHog.command(CProgram.bundled("memhog"), 1, 0, 0))) {
            int pid = hog.touch(Duration.ofSeconds(20)).get(0);
            MemoryScanner scanner = new MemoryScanner(MemoryScanner.Options.defaults(SmapsSource.SMAPS)
                    .withBudgets(Duration.ofNanos(1), Duration.ofMinutes(1)));
            MemorySnapshot snapshot = scanner.scan(new int[] {pid});
            assertEquals(1, snapshot.overBudget());
            assertTrue(snapshot.processes().isEmpty());
        }
    }

    @Test
    void churnWhileScanningNeverMixesOrFails() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> spawned = new ArrayList<>();
        Thread churn = new Thread(() -> {
            for (int i = 0; i < 2000 && !stop.get(); i++) {
                try {
                    Process p = new ProcessBuilder("sleep", "0.01").start();
                    synchronized (spawned) {
                        spawned.add(p.pid());
                    }
                    p.waitFor();
                } catch (Exception e) {
                    return;
                }
            }
        });
        churn.start();
        try {
            MemoryScanner scanner = new MemoryScanner(MemoryScanner.Options.defaults(SmapsSource.SMAPS));
            // at least five scans, and on until processes have come and gone meanwhile (bounded)
            for (int round = 0; round < 500 && (round < 5 || spawnedSoFar(spawned) <= 5); round++) {
                MemorySnapshot snapshot = scanner.scan(scanner.listPids());
                for (ProcessMemory process : snapshot.processes()) {
                    assertFalse(process.mappings().isEmpty());
                    assertTrue(process.usage().privateBytes() + process.usage().sharedBytes() > 0, process.toString());
                }
            }
        } finally {
            stop.set(true);
            churn.join(10_000);
        }
        assertTrue(spawned.size() > 5, "processes came and went during the scans");
    }

    private static int spawnedSoFar(List<Long> spawned) {
        synchronized (spawned) {
            return spawned.size();
        }
    }

    private static MappingMemory mapping(ProcessMemory process, String name) {
        return process.mappings().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + process.mappings()));
    }
}
