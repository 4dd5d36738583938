package org.gleaner.collectors.system;

import java.util.List;

/**
 * /proc/stat (proc_stat(5)): the aggregate "cpu" line per state, in USER_HZ ticks (1/100 s, so
 * as a rate: percent of one core), context switches, forks, interrupts, softirqs, and the
 * running/blocked process gauges. Per-CPU lines are reported only when asked for.
 * Note that guest and guest_nice time is also included in user and nice (kernel accounting).
 */
public final class StatParser {
    static final List<String> CPU_STATES =
            List.of("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice");

    private StatParser() {}

    public static Parsed parse(String text, boolean perCpu) {
        return Parsed.eachLine(text, (fields, into) -> {
            String key = fields[0];
            if (key.equals("cpu")) {
                cpuStates(fields, into, "cpu", "total");
            } else if (key.startsWith("cpu")) {
                Integer.parseInt(key.substring(3));
                if (perCpu) {
                    cpuStates(fields, into, "cpu", key.substring(3));
                }
            } else {
                switch (key) {
                    case "ctxt" -> into.add(Reading.counter(single(fields), "context_switches"));
                    case "processes" -> into.add(Reading.counter(single(fields), "forks"));
                    case "procs_running" -> into.add(Reading.gauge(single(fields), "procs", "running"));
                    case "procs_blocked" -> into.add(Reading.gauge(single(fields), "procs", "blocked"));
                    case "intr" -> into.add(Reading.counter(Long.parseLong(fields[1]), "interrupts"));
                    case "softirq" -> into.add(Reading.counter(Long.parseLong(fields[1]), "softirqs"));
                    default -> { } // btime, page, swap...: not rates worth sending
                }
            }
        });
    }

    private static long single(String[] fields) {
        Parsed.expectFields(fields, 2);
        return Long.parseLong(fields[1]);
    }

    /** Older kernels have fewer columns (steal since 2.6.11, guest_nice since 2.6.33): report those present. */
    private static void cpuStates(String[] fields, Parsed into, String group, String cpu) {
        int columns = Math.min(fields.length - 1, CPU_STATES.size());
        if (columns < 4) {
            throw new IllegalArgumentException("too few cpu columns");
        }
        long[] ticks = new long[columns];
        for (int i = 0; i < columns; i++) {
            ticks[i] = Long.parseLong(fields[i + 1]);
        }
        for (int i = 0; i < columns; i++) {
            into.add(Reading.counter(ticks[i], group, cpu, CPU_STATES.get(i)));
        }
    }
}
