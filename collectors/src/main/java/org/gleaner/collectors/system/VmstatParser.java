package org.gleaner.collectors.system;

import java.util.Set;

/**
 * /proc/vmstat: "name value" lines. Most are event counters (pgfault, pswpin...), but the nr_*
 * lines and workingset_nodes are current amounts (pages), so they are gauges — except the few
 * nr_* lines that count events (mm/vmstat.c: nr_dirtied, nr_written, ...). A gauge sent as a
 * counter would turn into a meaningless rate and spurious counter resets.
 */
public final class VmstatParser {
    private static final Set<String> NR_EVENT_COUNTERS = Set.of(
            "nr_dirtied", "nr_written", "nr_throttled_written",
            "nr_foll_pin_acquired", "nr_foll_pin_released",
            "nr_vmscan_write", "nr_vmscan_immediate_reclaim",
            "nr_tlb_remote_flush", "nr_tlb_remote_flush_received",
            "nr_tlb_local_flush_all", "nr_tlb_local_flush_one");

    private VmstatParser() {}

    public static Parsed parse(String text) {
        return Parsed.eachLine(text, (fields, into) -> {
            Parsed.expectFields(fields, 2);
            String name = fields[0];
            long value = Long.parseLong(fields[1]);
            into.add(isGauge(name) ? Reading.gauge(value, "vmstat", name) : Reading.counter(value, "vmstat", name));
        });
    }

    static boolean isGauge(String name) {
        return (name.startsWith("nr_") && !NR_EVENT_COUNTERS.contains(name)) || name.equals("workingset_nodes");
    }
}
