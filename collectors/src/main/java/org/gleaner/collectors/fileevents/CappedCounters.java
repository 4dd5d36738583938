package org.gleaner.collectors.fileevents;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Event counts per name (process, mount) with a fixed number of named slots plus "other", every
 * value monotonic so the agent can turn it into a rate. Counts accumulate between snapshots; at each
 * snapshot the busiest names of that interval take free slots, and a name keeps its slot for good.
 * A name without a slot adds to "other". No count is ever moved between names, so no value drops.
 */
final class CappedCounters {

    /** Distinct names held between two snapshots before further new names go straight to "other". */
    private static final int MAX_PENDING_NAMES = 10_000;

    /** Totals of the named slots, and of everything else. */
    record Snapshot(Map<String, Long> named, long other) {}

    private final int slots;
    private final Map<String, long[]> pending = new HashMap<>();
    private long pendingOther;
    private final Map<String, Long> named = new LinkedHashMap<>();
    private long other;

    CappedCounters(int slots) {
        this.slots = slots;
    }

    void add(String name) {
        long[] count = pending.get(name);
        if (count != null) {
            count[0]++;
        } else if (pending.size() < MAX_PENDING_NAMES || named.containsKey(name)) {
            pending.put(name, new long[] {1});
        } else {
            pendingOther++;
        }
    }

    Snapshot snapshot() {
        List<Map.Entry<String, long[]>> newcomers = new ArrayList<>();
        for (Map.Entry<String, long[]> entry : pending.entrySet()) {
            if (named.containsKey(entry.getKey())) {
                named.merge(entry.getKey(), entry.getValue()[0], Long::sum);
            } else {
                newcomers.add(entry);
            }
        }
        newcomers.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        for (Map.Entry<String, long[]> entry : newcomers) {
            if (named.size() < slots) {
                named.put(entry.getKey(), entry.getValue()[0]);
            } else {
                other += entry.getValue()[0];
            }
        }
        other += pendingOther;
        pending.clear();
        pendingOther = 0;
        return new Snapshot(Map.copyOf(named), other);
    }
}
