package org.gleaner.collectors.syscallio;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Per-unit I/O totals built from per-task (per-thread) counters, each task counted exactly once:
 * while it lives by the growth of its /proc/PID/task/TID/io between scans, and when it exits by
 * its final counters less what the scans already counted. Totals therefore only grow.
 *
 * <p>Scans and exits arrive from two threads in any interleaving; every method is synchronized.
 * A task whose exit was applied is remembered (a tombstone) until a scan no longer finds it, so a
 * zombie read by a later scan is not counted again. A task that vanished from /proc without an
 * exit notification for {@value #SCANS_BEFORE_MISSED} scans is forgotten and counted as missed.
 * Pure: no I/O.
 */
public final class UnitIoLedger {
    /** Scans a vanished task is kept for, waiting for its (possibly queued) exit notification. */
    static final int SCANS_BEFORE_MISSED = 3;

    /** The unit of exits whose process and parent were both gone before their unit could be read. */
    public static final List<String> UNATTRIBUTED = List.of("unattributed");

    private record Seen(int tgid, List<String> unit, IoCounters counters, long scan) {}

    private record Tombstone(IoCounters counters, long scan) {}

    private static final class Unit {
        final long[] totals = new long[IoCounters.NAMES.size()];
        long activeAtMillis;
    }

    /** One unit's totals in {@link IoCounters#NAMES} order. */
    public record UnitTotals(List<String> unit, IoCounters totals) {}

    /**
     * How complete the accounting is; every field only grows.
     *
     * @param exits task exits applied
     * @param exitsRounded exits whose exact counters could not be read, credited with the kernel's
     *     rounded ones (or the last scan's, if larger)
     * @param tasksMissed tasks that left /proc without an exit notification (lost, or exited before
     *     the listener was registered)
     * @param exitsUnattributed exits credited to {@link #UNATTRIBUTED}
     * @param recoveries rounding losses recovered from the reaping processes' counters and credited
     *     (one per counter and rounded exit)
     */
    public record Health(long exits, long exitsRounded, long tasksMissed, long exitsUnattributed, long recoveries) {}

    private final Map<Integer, Seen> live = new HashMap<>();
    private final Map<Integer, Tombstone> exited = new HashMap<>();
    private final Map<Integer, List<String>> processUnits = new HashMap<>();
    private final Map<List<String>, Unit> units = new HashMap<>();
    private final ReaperAccounts reapers = new ReaperAccounts();
    private long scan;
    private long exits;
    private long exitsRounded;
    private long tasksMissed;
    private long exitsUnattributed;
    private long recovered;

    /** Starts a scan of /proc; every live task must then be reported through {@link #observeLive}. */
    public synchronized void beginScan() {
        scan++;
    }

    /**
     * A task read by the current scan: its unit (from its process's cgroup) and counters.
     * {@code isZombie} is asked only about a task whose exit was already applied, to tell the
     * exited task (a zombie, or a thread between its exit notification and its release) from a
     * new task that reuses its id.
     */
    public synchronized void observeLive(int tgid, int tid, List<String> unit, IoCounters counters,
            BooleanSupplier isZombie, long nowMillis) {
        processUnits.put(tgid, unit);
        Tombstone tombstone = exited.get(tid);
        if (tombstone != null) {
            if (counters.equals(tombstone.counters()) || isZombie.getAsBoolean()) {
                exited.put(tid, new Tombstone(tombstone.counters(), scan)); // already counted
                return;
            }
            exited.remove(tid); // a new task with a reused id
        }
        Seen seen = live.get(tid);
        IoCounters counted = IoCounters.ZERO;
        if (seen != null && seen.counters().atMost(counters)) {
            counted = seen.counters(); // the same task, grown or unchanged
        } else if (seen != null) {
            tasksMissed++; // some counter went down: a new task reuses the id of one whose exit we never saw
        }
        live.put(tid, new Seen(tgid, unit, counters, scan));
        credit(unit, counters.minusClamped(counted), nowMillis);
    }

    /**
     * A process the current scan did not read further because its /proc/PID/io is as at the
     * previous scan, which listed {@code tids}: none of them has done any I/O since, so each is as
     * that scan saw it, or exited since with those counters. They are kept as they were, in the unit
     * the process is in now, and nothing is credited; a task id now known under another process
     * is left to that process's scan and to its exit. The process gives no reading for
     * {@link ReaperAccounts}: a thread that exited since would still be counted as live in it.
     */
    public synchronized void observeUnchanged(int tgid, int[] tids, List<String> unit) {
        processUnits.put(tgid, unit);
        for (int tid : tids) {
            Tombstone tombstone = exited.get(tid);
            Seen seen = live.get(tid);
            if (tombstone != null) {
                exited.put(tid, new Tombstone(tombstone.counters(), scan));
            } else if (seen != null && seen.tgid() == tgid) {
                live.put(tid, new Seen(tgid, unit, seen.counters(), scan));
            }
        }
        reapers.keep(tgid);
    }

    /** Ends the scan: forgets tasks gone from /proc whose exit never came, and tombstones no longer needed. */
    public synchronized void endScan() {
        for (Iterator<Seen> it = live.values().iterator(); it.hasNext(); ) {
            if (scan - it.next().scan() >= SCANS_BEFORE_MISSED) {
                it.remove();
                tasksMissed++;
            }
        }
        exited.values().removeIf(tombstone -> tombstone.scan() < scan);
        reapers.endScan(SCANS_BEFORE_MISSED);
        processUnits.clear();
        for (Seen seen : live.values()) {
            processUnits.put(seen.tgid(), seen.unit());
        }
    }

    /** The unit a process was last seen in, or null. */
    public synchronized List<String> knownUnit(int tgid) {
        return processUnits.get(tgid);
    }

    /** Remembers the unit of a process read outside a scan, until the next scan ends. */
    public synchronized void rememberUnit(int tgid, List<String> unit) {
        processUnits.putIfAbsent(tgid, unit);
    }

    /** Whether a scan has seen task {@code tid} and so knows its unit. */
    public synchronized boolean isKnown(int tid) {
        return live.containsKey(tid);
    }

    /**
     * Applies one task's exit. {@code exact} is its /proc counters read after the notification
     * (null if it was already gone); {@code unit} is where to credit it if no scan saw it (null:
     * unattributed). {@code nowNanos} is on the clock of {@link #observeProcess} readings.
     */
    public synchronized void recordExit(TaskExit exit, IoCounters exact, List<String> unit, long nowMillis, long nowNanos) {
        exits++;
        IoCounters last = exit.counters();
        if (exact != null) {
            last = last.max(exact);
        }
        Seen seen = live.remove(exit.pid());
        IoCounters counted = IoCounters.ZERO;
        if (seen != null) {
            last = last.max(seen.counters());
            counted = seen.counters();
            unit = seen.unit();
        }
        if (exact == null) {
            exitsRounded++;
        }
        if (unit == null) {
            exitsUnattributed++;
            unit = UNATTRIBUTED;
        }
        if (exit.tgid() > 0) {
            processUnits.putIfAbsent(exit.tgid(), unit);
        }
        exited.put(exit.pid(), new Tombstone(last, scan));
        credit(unit, last.minusClamped(counted), nowMillis);
        reapers.exited(exit, exit.tgid() > 0 ? exit.tgid() : exit.pid(), last, exact == null, unit, nowNanos);
    }

    /** Children of process {@code tgid} whose exit was applied but whose reaping no scan has confirmed. */
    public synchronized List<Integer> unreapedChildren(int tgid) {
        return reapers.unreapedChildren(tgid);
    }

    /**
     * A scan's reading of a live process, for recovering rounding losses (see {@link ReaperAccounts}):
     * its /proc/PID/io read at {@code readNanos}, the sum of its threads' own counters read after,
     * and for each child from {@link #unreapedChildren} checked after that, whether it is a zombie.
     */
    public synchronized void observeProcess(int tgid, IoCounters whole, IoCounters threads,
            Map<Integer, Boolean> childZombies, long readNanos) {
        reapers.observed(tgid, whole, threads, childZombies, readNanos);
    }

    /** Credits the rounding losses revealed by readings taken before the listener last found its socket empty. */
    public synchronized void reconcile(long drainedNanos, long nowMillis) {
        reapers.reconcile(drainedNanos, (unit, amount) -> {
            credit(unit, amount, nowMillis);
            recovered++;
        });
    }

    private void credit(List<String> unit, IoCounters delta, long nowMillis) {
        Unit totals = units.computeIfAbsent(unit, key -> new Unit());
        delta.addTo(totals.totals);
        totals.activeAtMillis = nowMillis;
    }

    /**
     * Every unit's totals, after forgetting units without a live task that have not been active
     * since {@code forgetBeforeMillis} (their counters would restart from zero if they came back).
     */
    public synchronized List<UnitTotals> totals(long nowMillis, long forgetBeforeMillis) {
        for (Seen seen : live.values()) {
            Unit unit = units.get(seen.unit());
            if (unit != null) {
                unit.activeAtMillis = nowMillis;
            }
        }
        units.values().removeIf(unit -> unit.activeAtMillis < forgetBeforeMillis);
        List<UnitTotals> result = new ArrayList<>(units.size());
        units.forEach((unit, totals) -> result.add(new UnitTotals(unit, IoCounters.of(totals.totals))));
        return result;
    }

    public synchronized Health health() {
        return new Health(exits, exitsRounded, tasksMissed, exitsUnattributed, recovered);
    }
}
