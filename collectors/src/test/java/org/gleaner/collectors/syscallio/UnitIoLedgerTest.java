package org.gleaner.collectors.syscallio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UnitIoLedgerTest {
    private static final List<String> WEB = List.of("services", "web");
    private static final List<String> CRON = List.of("services", "cron");

    private static IoCounters wchar(long bytes) {
        return IoCounters.of(0, bytes, 0, 0, 0, 0, 0);
    }

    private static TaskExit exit(int pid, long wchar) {
        return new TaskExit(pid, pid, 1, "t", wchar(wchar & ~1023L), true, 16);
    }

    /** Every unit's totals, forgetting none. */
    static Map<List<String>, IoCounters> totals(UnitIoLedger ledger) {
        Map<List<String>, IoCounters> totals = new HashMap<>();
        ledger.totals(0, Long.MIN_VALUE).forEach(unit -> totals.put(unit.unit(), unit.totals()));
        return totals;
    }

    /** A fresh ledger per test (JUnit makes one instance per test method). */
    private final UnitIoLedger ledger = new UnitIoLedger();

    private Map<List<String>, IoCounters> totals() {
        return totals(ledger);
    }

    /** A scan that finds one task; if its exit was applied, {@code exited} says whether it is that task's zombie. */
    private void scan(int tid, List<String> unit, long wchar, boolean exited) {
        ledger.beginScan();
        ledger.observeLive(tid, tid, unit, wchar(wchar), () -> exited, 0);
        ledger.endScan();
    }

    private void scan(int tid, List<String> unit, long wchar) {
        scan(tid, unit, wchar, true);
    }

    @Test
    void exitAddsOnlyWhatTheScansHadNotCounted() {
        scan(10, WEB, 1000);
        scan(10, WEB, 1500);
        ledger.recordExit(exit(10, 4000), wchar(4000), null, 0, 0);
        assertEquals(Map.of(WEB, wchar(4000)), totals());
        assertEquals(new UnitIoLedger.Health(1, 0, 0, 0, 0), ledger.health());
    }

    @Test
    void zombieSeenAfterItsExitIsNotCountedTwice() {
        scan(10, WEB, 1000);
        ledger.recordExit(exit(10, 3000), wchar(3000), null, 0, 0);
        scan(10, WEB, 3000);
        scan(10, WEB, 3000);
        assertEquals(Map.of(WEB, wchar(3000)), totals());
    }

    @Test
    void newTaskReusingTheIdOfAnExitedOneIsCountedInFull() {
        scan(10, WEB, 1000);
        ledger.recordExit(exit(10, 3000), wchar(3000), null, 0, 0);
        scan(10, CRON, 500, false);
        assertEquals(Map.of(WEB, wchar(3000), CRON, wchar(500)), totals());
    }

    @Test
    void taskNoScanSawIsCreditedToTheUnitFoundAtExit() {
        ledger.recordExit(exit(11, 1 << 20), wchar((1 << 20) + 7), CRON, 0, 0);
        ledger.recordExit(exit(12, 5000), null, null, 0, 0);
        assertEquals(Map.of(CRON, wchar((1 << 20) + 7), UnitIoLedger.UNATTRIBUTED, wchar(5000 & ~1023L)), totals());
        assertEquals(new UnitIoLedger.Health(2, 1, 0, 1, 0), ledger.health());
    }

    @Test
    void roundedExitNeverUndoesWhatAScanCounted() {
        scan(10, WEB, 1500);
        ledger.recordExit(exit(10, 1500), null, CRON, 0, 0);
        assertEquals(Map.of(WEB, wchar(1500)), totals());
    }

    @Test
    void taskGoneWithoutExitIsForgottenAsMissedAndItsIdReusable() {
        scan(10, WEB, 1000);
        for (int i = 0; i < UnitIoLedger.SCANS_BEFORE_MISSED; i++) {
            ledger.beginScan();
            ledger.endScan();
        }
        assertEquals(1, ledger.health().tasksMissed());
        scan(10, WEB, 200);
        assertEquals(Map.of(WEB, wchar(1200)), totals());
    }

    /** A scan that finds process {@code tgid}'s /proc/PID/io as the last scan did, which listed {@code tids}. */
    private void unchangedScan(int tgid, List<String> unit, int... tids) {
        ledger.beginScan();
        ledger.observeUnchanged(tgid, tids, unit);
        ledger.endScan();
    }

    @Test
    void taskOfAnUnchangedProcessStaysLiveInTheUnitItsProcessIsNowIn() {
        scan(10, WEB, 1000);
        for (int i = 0; i <= UnitIoLedger.SCANS_BEFORE_MISSED; i++) {
            unchangedScan(10, CRON, 10);
        }
        assertEquals(0, ledger.health().tasksMissed());
        ledger.recordExit(exit(10, 1500), wchar(1500), null, 0, 0);
        assertEquals(Map.of(WEB, wchar(1000), CRON, wchar(500)), totals());
    }

    @Test
    void zombieKeptByUnchangedScansIsNotCountedAgainWhenItsProcessIsReadAgain() {
        scan(10, WEB, 1000);
        ledger.recordExit(exit(10, 3000), wchar(3000), null, 0, 0);
        for (int i = 0; i <= UnitIoLedger.SCANS_BEFORE_MISSED; i++) {
            unchangedScan(10, WEB, 10);
        }
        scan(10, WEB, 3000, true);
        assertEquals(Map.of(WEB, wchar(3000)), totals());
    }

    @Test
    void unchangedProcessLeavesATaskIdNowKnownUnderAnotherProcessAlone() {
        ledger.beginScan();
        ledger.observeLive(20, 10, CRON, wchar(700), () -> false, 0);
        ledger.observeUnchanged(10, new int[] {10}, WEB);
        ledger.endScan();
        ledger.recordExit(new TaskExit(10, 20, 1, "t", wchar(0), true, 16), wchar(900), null, 0, 0);
        assertEquals(Map.of(CRON, wchar(900)), totals());
    }

    @Test
    void reusedIdWithSmallerCountersIsANewTask() {
        scan(10, WEB, 1000);
        scan(10, CRON, 300);
        assertEquals(Map.of(WEB, wchar(1000), CRON, wchar(300)), totals());
        assertEquals(1, ledger.health().tasksMissed());
    }

    @Test
    void idleUnitsWithoutTasksAreForgotten() {
        ledger.recordExit(exit(11, 2048), wchar(2048), CRON, 100, 0);
        scan(10, WEB, 1);
        assertEquals(List.of(WEB), ledger.totals(1000, 500).stream().map(UnitIoLedger.UnitTotals::unit).toList());
    }

    /**
     * A model of tasks that spawn (reusing ids), do I/O, exit (leaving a zombie or not), and whose
     * exit notifications arrive late, interleaved with scans that may be cut by notifications.
     * Totals must never exceed the truth, never go down, and equal it once everything is applied,
     * less at most 1023 bytes for each exit known only by the kernel's rounded record.
     */
    @Test
    void randomInterleavingsCountEveryByteOnce() {
        for (long seed = 0; seed < 200; seed++) {
            runModel(new Random(seed), seed);
        }
    }

    private static final class Task {
        final int tid;
        final List<String> unit;
        long written;
        boolean alive = true;
        boolean zombie;

        Task(int tid, List<String> unit) {
            this.tid = tid;
            this.unit = unit;
        }
    }

    private record Pending(Task task, long finalWritten, long queuedAtScan) {}

    private static void runModel(Random random, long seed) {
        List<List<String>> units = List.of(WEB, CRON, List.of("scopes", "x"));
        UnitIoLedger ledger = new UnitIoLedger();
        Map<List<String>, Long> truth = new HashMap<>();
        Map<Integer, Task> visible = new HashMap<>(); // alive or zombie
        ArrayDeque<Pending> queue = new ArrayDeque<>();
        Map<List<String>, Long> lastTotals = new HashMap<>();
        Map<List<String>, Long> roundingAllowance = new HashMap<>();
        long scans = 0;
        for (int step = 0; step < 400; step++) {
            int action = random.nextInt(10);
            if (action < 2) {
                int tid = 1 + random.nextInt(12);
                boolean pendingExit = queue.stream().anyMatch(p -> p.task().tid == tid);
                if (!visible.containsKey(tid) && !pendingExit) {
                    visible.put(tid, new Task(tid, units.get(random.nextInt(units.size()))));
                }
            } else if (action < 5) {
                for (Task task : visible.values()) {
                    if (task.alive && random.nextBoolean()) {
                        long bytes = random.nextInt(5000);
                        task.written += bytes;
                        truth.merge(task.unit, bytes, Long::sum);
                    }
                }
            } else if (action < 6) {
                for (Task task : new ArrayList<>(visible.values())) {
                    if (task.alive && random.nextInt(3) == 0) {
                        task.alive = false;
                        task.zombie = random.nextBoolean();
                        queue.add(new Pending(task, task.written, scans));
                        if (!task.zombie) {
                            visible.remove(task.tid);
                        }
                    }
                }
            } else if (action < 7) {
                visible.values().removeIf(task -> task.zombie && random.nextBoolean());
            } else if (action < 8) {
                deliver(ledger, queue, random, roundingAllowance);
            } else {
                // notifications are applied within two scans of the exit (the listener is not stalled)
                while (!queue.isEmpty() && scans - queue.peek().queuedAtScan() >= 2) {
                    deliver(ledger, queue, random, roundingAllowance);
                }
                scans++;
                ledger.beginScan();
                for (Task task : new ArrayList<>(visible.values())) {
                    ledger.observeLive(task.tid, task.tid, task.unit, wchar(task.written), () -> task.zombie, 0);
                    if (random.nextInt(4) == 0) {
                        deliver(ledger, queue, random, roundingAllowance);
                    }
                }
                ledger.endScan();
                checkAgainstTruth(ledger, truth, lastTotals, Map.of(), seed, false);
            }
        }
        while (!queue.isEmpty()) {
            deliver(ledger, queue, random, roundingAllowance);
        }
        visible.values().removeIf(task -> !task.alive);
        ledger.beginScan();
        visible.values().forEach(task -> ledger.observeLive(task.tid, task.tid, task.unit, wchar(task.written), () -> task.zombie, 0));
        ledger.endScan();
        checkAgainstTruth(ledger, truth, lastTotals, roundingAllowance, seed, true);
        assertEquals(0, ledger.health().tasksMissed(), "seed " + seed);
    }

    /** Applies the oldest exit; a task already reaped may have left no exact counters to read. */
    private static void deliver(UnitIoLedger ledger, ArrayDeque<Pending> queue, Random random,
            Map<List<String>, Long> roundingAllowance) {
        Pending pending = queue.poll();
        if (pending != null) {
            Task task = pending.task();
            IoCounters exact = task.zombie || random.nextBoolean() ? wchar(pending.finalWritten()) : null;
            if (exact == null) {
                roundingAllowance.merge(task.unit, 1023L, Long::sum);
            }
            ledger.recordExit(exit(task.tid, pending.finalWritten()), exact, task.unit, 0, 0);
        }
    }

    private static void checkAgainstTruth(UnitIoLedger ledger, Map<List<String>, Long> truth,
            Map<List<String>, Long> lastTotals, Map<List<String>, Long> roundingAllowance, long seed, boolean complete) {
        Map<List<String>, IoCounters> totals = totals(ledger);
        totals.forEach((unit, counters) -> {
            long written = counters.get(1);
            long expected = truth.getOrDefault(unit, 0L);
            assertTrue(written <= expected, "seed " + seed + ": " + unit + " counted " + written + " of " + expected);
            assertTrue(written >= lastTotals.getOrDefault(unit, 0L), "seed " + seed + ": " + unit + " went down");
            lastTotals.put(unit, written);
        });
        if (complete) {
            truth.forEach((unit, expected) -> {
                long written = totals.getOrDefault(unit, IoCounters.ZERO).get(1);
                long allowance = roundingAllowance.getOrDefault(unit, 0L);
                assertTrue(written >= expected - allowance, "seed " + seed + ": " + unit + " counted " + written
                        + " of " + expected + ", rounding allows " + allowance);
            });
        }
    }
}
