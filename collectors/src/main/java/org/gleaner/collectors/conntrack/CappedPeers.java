package org.gleaner.collectors.conntrack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Monotonic totals for at most {@code slots} named peers, plus "other" and "total", so that a scan
 * from a million addresses cannot create a million series. At each interval the peers that moved
 * the most bytes take the free slots; a peer keeps its slot while it is active, and gives it up
 * after {@code idleMillis} without traffic (its series then simply stops). Traffic of peers without
 * a slot goes to "other", and how many peers went there is counted.
 */
final class CappedPeers {
    /** Totals of the named peers, everything else, everything; peers folded into "other" so far. */
    record Snapshot(Map<String, long[]> named, long[] other, long[] total, long folded) {}

    private static final class Slot {
        final long[] totals = Traffic.zero();
        long lastActiveMillis;
    }

    private final int slots;
    private final long idleMillis;
    private final Map<String, Slot> named = new LinkedHashMap<>();
    private final long[] other = Traffic.zero();
    private final long[] total = Traffic.zero();
    private long folded;

    CappedPeers(int slots, long idleMillis) {
        this.slots = slots;
        this.idleMillis = idleMillis;
    }

    /** Adds one interval's traffic per peer, read at {@code nowMillis}. */
    Snapshot add(Map<String, long[]> interval, long nowMillis) {
        named.values().removeIf(slot -> nowMillis - slot.lastActiveMillis >= idleMillis);
        List<Map.Entry<String, long[]>> newcomers = new ArrayList<>();
        for (Map.Entry<String, long[]> entry : interval.entrySet()) {
            Traffic.add(total, entry.getValue());
            Slot slot = named.get(entry.getKey());
            if (slot != null) {
                Traffic.add(slot.totals, entry.getValue());
                slot.lastActiveMillis = nowMillis;
            } else {
                newcomers.add(entry);
            }
        }
        newcomers.sort((a, b) -> Long.compare(bytes(b.getValue()), bytes(a.getValue())));
        for (Map.Entry<String, long[]> entry : newcomers) {
            if (named.size() < slots) {
                Slot slot = new Slot();
                Traffic.add(slot.totals, entry.getValue());
                slot.lastActiveMillis = nowMillis;
                named.put(entry.getKey(), slot);
            } else {
                Traffic.add(other, entry.getValue());
                folded++;
            }
        }
        Map<String, long[]> snapshot = new HashMap<>();
        named.forEach((name, slot) -> snapshot.put(name, slot.totals.clone()));
        return new Snapshot(snapshot, other.clone(), total.clone(), folded);
    }

    private static long bytes(long[] values) {
        return values[Traffic.BYTES_IN] + values[Traffic.BYTES_OUT];
    }
}
