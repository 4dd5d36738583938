package org.gleaner.collectors.syscallio;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Recovers what the kernel's rounding of exit records loses, from the processes that take in the
 * exited tasks' counters. When a thread is released its counters join its process's signal struct;
 * when a process is reaped, all of it (its threads and everything it reaped) joins its parent's
 * (wait_task_zombie() in kernel/exit.c). So for a live process P, the part of /proc/P/io not held by
 * its live threads, S(P), grows by exactly the exact counters of what it took in. Comparing that
 * growth with what the ledger credited for the same tasks gives the rounding losses, which are
 * credited to the units of the rounded exits.
 *
 * <p>Never more is credited than the rounding could have lost: 1023 per counter for each rounded
 * exit taken in by P (its budget). Every timing uncertainty is resolved towards crediting less: a
 * reading of S(P) is used only after the listener has drained every notification sent before it;
 * children whose exit was applied but that were still zombies at the reading are left out; tasks
 * applied after the reading are counted as explained even if not yet taken in. The first reading,
 * the baseline, must also not be followed by an exit into P before that drain (it could have been
 * sent before the reading and already be taken in), else the next reading is tried. Growth of S(P) the
 * ledger cannot explain (orphans whose notification named their former parent, exits before the
 * collector started, lost notifications) can only consume budget. Not thread-safe: the ledger's
 * lock guards it.
 */
final class ReaperAccounts {
    /** The most a rounded counter can be below the exact one (KB_MASK in kernel/tsacct.c). */
    static final long ROUNDING = 1023;
    private static final int BUDGETS_PER_PROCESS = 4096;
    private static final int N = IoCounters.NAMES.size();

    /** Credits a recovered amount to a unit. */
    interface Creditor {
        void credit(List<String> unit, IoCounters amount);
    }

    private static final class Budget {
        final List<String> unit;
        final long[] remaining = new long[N];

        Budget(List<String> unit) {
            this.unit = unit;
            java.util.Arrays.fill(remaining, ROUNDING);
        }

        boolean spent() {
            for (long value : remaining) {
                if (value > 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A reading of S(P); for a baseline candidate {@code excluded} holds what was explained at it. */
    private record Reading(long[] taken, long[] excluded, long nanos) {}

    private static final class Account {
        /** Everything credited for tasks this process took in or will take in when it reaps them. */
        final long[] explained = new long[N];
        /** The counters of its leader thread when it exited before the other threads (not in S). */
        final long[] leaderOwn = new long[N];
        /** Children whose exit was applied and whose reaping was not yet seen, with their amounts. */
        final Map<Integer, long[]> unreaped = new HashMap<>();
        final ArrayDeque<Budget> budgets = new ArrayDeque<>();
        final long[] recovered = new long[N];
        long[] takenFirst;
        long[] explainedFirst;
        Reading candidate;
        Reading pending;
        long lastAppliedNanos;
        long touchedScan;
    }

    private final Map<Integer, Account> accounts = new HashMap<>();
    private long scan;

    /** Applies one exit: {@code credited} is all the ledger credited for the task over its life. */
    void exited(TaskExit exit, int tgid, IoCounters credited, boolean rounded, List<String> unit, long appliedNanos) {
        Budget budget = rounded ? new Budget(unit) : null;
        if (!exit.groupDead()) {
            Account process = account(tgid);
            process.lastAppliedNanos = appliedNanos;
            // a thread's counters join the signal struct on release; a leader's stay with it until reaped
            credited.addTo(exit.pid() == tgid ? process.leaderOwn : process.explained);
            addBudget(process, budget);
            return;
        }
        long[] whole = new long[N];
        credited.addTo(whole);
        Account process = accounts.remove(tgid);
        if (process != null) {
            for (int i = 0; i < N; i++) {
                long history = process.takenFirst == null ? 0 : Math.max(0, process.takenFirst[i] - process.explainedFirst[i]);
                whole[i] += process.leaderOwn[i] + process.explained[i] + process.recovered[i] + history;
            }
        }
        if (exit.ppid() <= 0) {
            return;
        }
        Account parent = account(exit.ppid());
        parent.lastAppliedNanos = appliedNanos;
        for (int i = 0; i < N; i++) {
            parent.explained[i] += whole[i];
        }
        parent.unreaped.merge(tgid, whole, (a, b) -> {
            long[] sum = a.clone();
            for (int i = 0; i < N; i++) {
                sum[i] += b[i];
            }
            return sum;
        });
        if (process != null) {
            process.budgets.forEach(moved -> addBudget(parent, moved));
        }
        addBudget(parent, budget);
    }

    /** Children of {@code tgid} whose exit was applied and whose reaping is not yet confirmed. */
    List<Integer> unreapedChildren(int tgid) {
        Account account = accounts.get(tgid);
        return account == null ? List.of() : List.copyOf(account.unreaped.keySet());
    }

    /**
     * A scan's reading of live process {@code tgid}: {@code whole} (/proc/PID/io, read first) and the
     * sum of its live threads' own counters read after it; {@code zombies} tells, for children
     * checked after {@code whole} was read, whether each was still unreaped.
     */
    void observed(int tgid, IoCounters whole, IoCounters threads, Map<Integer, Boolean> zombies, long nanos) {
        Account account = account(tgid);
        long[] taken = new long[N];
        long[] excluded = new long[N];
        for (int i = 0; i < N; i++) {
            taken[i] = Math.max(0, whole.get(i) - threads.get(i));
        }
        zombies.forEach((child, zombie) -> {
            long[] amount = account.unreaped.get(child);
            if (amount != null && zombie) {
                for (int i = 0; i < N; i++) {
                    excluded[i] += amount[i];
                }
            } else if (amount != null) {
                account.unreaped.remove(child);
            }
        });
        if (account.takenFirst == null) {
            long[] explainedNow = new long[N];
            for (int i = 0; i < N; i++) {
                explainedNow[i] = account.explained[i] - excluded[i];
            }
            account.candidate = new Reading(taken, explainedNow, nanos);
        } else {
            account.pending = new Reading(taken, excluded, nanos);
        }
    }

    /** Keeps the account of live process {@code tgid}, not read by this scan, as it is. */
    void keep(int tgid) {
        account(tgid);
    }

    /** Credits what readings taken before {@code drainedNanos} reveal; later ones wait. */
    void reconcile(long drainedNanos, Creditor creditor) {
        for (Account account : accounts.values()) {
            Reading candidate = account.candidate;
            if (candidate != null && candidate.nanos() - drainedNanos < 0) {
                account.candidate = null;
                if (account.lastAppliedNanos - candidate.nanos() < 0) {
                    account.takenFirst = candidate.taken();
                    account.explainedFirst = candidate.excluded(); // here: what was explained at the reading
                }
            }
            Reading reading = account.pending;
            if (reading == null || reading.nanos() - drainedNanos >= 0) {
                continue;
            }
            account.pending = null;
            for (int i = 0; i < N; i++) {
                long unexplained = reading.taken()[i] - account.takenFirst[i]
                        - (account.explained[i] - reading.excluded()[i] - account.explainedFirst[i])
                        - account.recovered[i];
                for (Iterator<Budget> it = account.budgets.iterator(); unexplained > 0 && it.hasNext(); ) {
                    Budget budget = it.next();
                    long take = Math.min(unexplained, budget.remaining[i]);
                    if (take > 0) {
                        long[] amount = new long[N];
                        amount[i] = take;
                        creditor.credit(budget.unit, IoCounters.of(amount));
                        budget.remaining[i] -= take;
                        account.recovered[i] += take;
                        unexplained -= take;
                    }
                }
            }
            account.budgets.removeIf(Budget::spent);
        }
    }

    /** Ends a scan: forgets processes neither read nor fed for a few scans (gone, their exit lost). */
    void endScan(int scansToKeep) {
        scan++;
        accounts.values().removeIf(account -> scan - account.touchedScan > scansToKeep);
    }

    private Account account(int tgid) {
        Account account = accounts.computeIfAbsent(tgid, key -> new Account());
        account.touchedScan = scan;
        return account;
    }

    private static void addBudget(Account account, Budget budget) {
        if (budget == null) {
            return;
        }
        if (account.budgets.size() >= BUDGETS_PER_PROCESS) {
            account.budgets.poll();
        }
        account.budgets.add(budget);
    }
}
