package org.gleaner.collectors.syscallio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.gleaner.collectors.procfs.KernelFileReader;
import org.gleaner.collectors.procfs.ProcIdListing;
import org.gleaner.collectors.text.ByteText;

/**
 * Reads tasks from /proc: each live thread's own I/O counters (/proc/PID/task/TID/io, which
 * unlike /proc/PID/io holds neither dead threads nor reaped children) and its process's unit
 * (from /proc/PID/cgroup, named by a pluggable function). A process or thread that vanishes
 * while being read is skipped: the exit notification accounts for it.
 */
final class ProcTasks {
    private static final int UNIT_CACHE_LIMIT = 10_000;
    private static final int MAX_FILE_BYTES = 1 << 20;
    private static final ThreadLocal<KernelFileReader> READERS =
            ThreadLocal.withInitial(() -> new KernelFileReader(4096, MAX_FILE_BYTES));

    private final Path proc;
    private final String procPrefix;
    private final Function<String, List<String>> unitOfProcCgroup;
    private final Map<String, List<String>> unitCache = new ConcurrentHashMap<>();
    /** Lists /proc and each process's threads (the scanning thread's only). */
    private final ProcIdListing listing = new ProcIdListing();
    /** Each process's reading in the previous scan and in the current one (the scanning thread's only). */
    private Map<Integer, ProcessReading> lastReadings = new HashMap<>();
    private Map<Integer, ProcessReading> readings = new HashMap<>();

    /** What a scan read of one process: its /proc/PID/io and the ids of its threads. */
    private record ProcessReading(IoCounters whole, int[] tids) {}

    /** @param unitOfProcCgroup names the unit of a process from the text of its /proc/PID/cgroup */
    ProcTasks(Path proc, Function<String, List<String>> unitOfProcCgroup) {
        this.proc = proc;
        this.procPrefix = proc + "/";
        this.unitOfProcCgroup = unitOfProcCgroup;
    }

    /** Reports every live thread to {@code ledger} within one scan. */
    void scan(UnitIoLedger ledger, long nowMillis) throws IOException {
        int[] processes = listing.list(proc.toString());
        if (processes == null) {
            throw new IOException("cannot list " + proc);
        }
        try {
            for (int tgid : processes) {
                scanProcess(ledger, tgid, nowMillis);
            }
        } finally {
            lastReadings = readings;
            readings = new HashMap<>();
        }
    }

    private void scanProcess(UnitIoLedger ledger, int tgid, long nowMillis) {
        List<String> unit = unitOf(tgid);
        if (unit == null) {
            return;
        }
        // Whole-process counters first, then children and threads: every race then leaves the
        // reading short of what the process took in, never above it (see ReaperAccounts).
        IoCounters whole = parseIo(readSmallFile(procPrefix + tgid + "/io"));
        long readNanos = System.nanoTime(); // after the read: a drain later than this one follows it
        // /proc/PID/io is the sum of the threads' own counters, of exited threads' and of reaped
        // children's (proc(5); fs/proc/base.c do_io_accounting), and none of them ever goes down.
        // So if it is as in the last scan, no thread has done any I/O since and each thread that
        // is still there has the counters the last scan read; threads that exited since had those
        // counters, threads started since have done no I/O yet. Nothing more needs reading.
        ProcessReading last = lastReadings.get(tgid);
        if (whole != null && last != null && whole.equals(last.whole())) {
            ledger.observeUnchanged(tgid, last.tids(), unit);
            readings.put(tgid, last);
            return;
        }
        Map<Integer, Boolean> childZombies = new HashMap<>();
        if (whole != null) {
            for (int child : ledger.unreapedChildren(tgid)) {
                childZombies.put(child, state(child, child) == 'Z');
            }
        }
        int[] tids = listing.list(procPrefix + tgid + "/task");
        if (tids == null) {
            return; // the process exited during the scan
        }
        long[] threads = new long[IoCounters.NAMES.size()];
        boolean complete = true;
        for (int tid : tids) {
            IoCounters counters = readIo(tgid, tid);
            if (counters == null) {
                complete = false; // the thread exited while the scan listed it
            } else {
                ledger.observeLive(tgid, tid, unit, counters, () -> isZombie(tgid, tid), nowMillis);
                counters.addTo(threads);
            }
        }
        if (whole != null) {
            ledger.observeProcess(tgid, whole, IoCounters.of(threads), childZombies, readNanos);
            if (complete) {
                readings.put(tgid, new ProcessReading(whole, tids));
            }
        }
    }

    /** The unit of process {@code tgid}, or null if it is gone. */
    List<String> unitOf(int tgid) {
        // cgroup names are bytes: decoded so that no two names become one and none fails
        KernelFileReader reader = READERS.get();
        int length = reader.read(procPrefix + tgid + "/cgroup");
        if (length < 0) {
            return null;
        }
        String text = ByteText.lossless(reader.buffer(), 0, length);
        if (unitCache.size() > UNIT_CACHE_LIMIT) {
            unitCache.clear();
        }
        return unitCache.computeIfAbsent(text, unitOfProcCgroup);
    }

    /** The own counters of thread {@code tid} of process {@code tgid}, or null if it is gone. */
    IoCounters readIo(int tgid, int tid) {
        return parseIo(readSmallFile(procPrefix + tgid + "/task/" + tid + "/io"));
    }

    private static IoCounters parseIo(String text) {
        return text == null ? null : IoCounters.parseProcIo(text).orElse(null);
    }

    /** Whether thread {@code tid} has exited and waits to be reaped, or is already gone. */
    boolean isZombie(int tgid, int tid) {
        char state = state(tgid, tid);
        return state == 'Z' || state == 'X' || state == 0;
    }

    /** The state letter of a thread (proc(5), /proc/PID/task/TID/stat field 3); 0 if it is gone. */
    char state(int tgid, int tid) {
        String stat = readSmallFile(procPrefix + tgid + "/task/" + tid + "/stat");
        if (stat == null) {
            return 0;
        }
        int afterName = stat.lastIndexOf(')'); // the name in parentheses may hold any byte, ')' too
        return afterName >= 0 && afterName + 2 < stat.length() ? stat.charAt(afterName + 2) : '?';
    }

    /**
     * The whole content of a /proc file, or null if it is gone (ENOENT, ESRCH) or unreadable.
     * Open, one read and close: that matters on the exit path too, where the read races the
     * parent reaping the task. Scans and exits are read on different threads: a reader each.
     */
    private static String readSmallFile(String file) {
        KernelFileReader reader = READERS.get();
        int length = reader.read(file);
        return length < 0 ? null : new String(reader.buffer(), 0, length, StandardCharsets.UTF_8);
    }
}
