package org.gleaner.collectors.conntrack;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.gleaner.collectors.ctnetlink.Flow;

/**
 * The counters last seen for every conntrack entry, so that each byte is billed once: a dump bills
 * what an entry gained since the previous reading, a DESTROY event bills the rest. The first dump
 * only records what was there (traffic before it is not billed, so a restarted collector does not
 * bill again what the previous one did). An entry's key is its zone, original tuple, CTA_ID and
 * start timestamp (when the kernel records one); a counter that goes down means the key was reused
 * by a new entry (the ID is a hash of the entry's address and tuple, see the conntrack notes in the
 * README). Not thread-safe: the collector calls it from one thread.
 */
final class FlowLedger {
    /** Complete dumps an entry may be missing from before it is forgotten without its DESTROY event. */
    static final int MISSED_DUMPS_BEFORE_FORGETTING = 3;

    /** Receives what one entry gained. {@code started}: first sight of the entry; {@code ended}: its DESTROY. */
    interface Listener {
        void traffic(Flow flow, long originalPackets, long originalBytes, long replyPackets, long replyBytes,
                boolean started, boolean ended);
    }

    private static final class Last {
        long originalPackets;
        long originalBytes;
        long replyPackets;
        long replyBytes;
        long dump;
        int missedDumps;

        Last(Flow flow, long dump) {
            set(flow, dump);
        }

        void set(Flow flow, long dump) {
            originalPackets = flow.originalPackets();
            originalBytes = flow.originalBytes();
            replyPackets = flow.replyPackets();
            replyBytes = flow.replyBytes();
            this.dump = dump;
            missedDumps = 0;
        }

        boolean exceededBy(Flow flow) {
            return flow.originalPackets() >= originalPackets && flow.originalBytes() >= originalBytes
                    && flow.replyPackets() >= replyPackets && flow.replyBytes() >= replyBytes;
        }
    }

    private final Map<ByteBuffer, Last> flows = new HashMap<>();
    private long dump;
    private boolean seeded;
    private long dumpEntries;
    private long dumpWithoutCounters;
    private long dying;
    private long vanished;
    private long reused;
    private long destroyedBeforeSeed;

    /** Starts a dump; the first one records only. */
    void beginDump() {
        dump++;
        dumpEntries = 0;
        dumpWithoutCounters = 0;
    }

    void dumped(Flow flow, Listener listener) {
        if (flow.dying()) {
            dying++; // its DESTROY event is on its way and bills it (a dump may see an entry being deleted)
            return;
        }
        dumpEntries++;
        if (!flow.hasCounters()) {
            dumpWithoutCounters++;
        }
        ByteBuffer key = key(flow);
        Last last = flows.get(key);
        if (last == null) {
            flows.put(key, new Last(flow, dump));
            if (seeded) {
                listener.traffic(flow, flow.originalPackets(), flow.originalBytes(), flow.replyPackets(), flow.replyBytes(), true, false);
            }
        } else if (last.exceededBy(flow)) {
            listener.traffic(flow, flow.originalPackets() - last.originalPackets, flow.originalBytes() - last.originalBytes,
                    flow.replyPackets() - last.replyPackets, flow.replyBytes() - last.replyBytes, false, false);
            last.set(flow, dump);
        } else {
            reused++;
            listener.traffic(flow, flow.originalPackets(), flow.originalBytes(), flow.replyPackets(), flow.replyBytes(), true, false);
            last.set(flow, dump);
        }
    }

    /**
     * Ends a dump. After a complete one, entries missing from {@value #MISSED_DUMPS_BEFORE_FORGETTING}
     * complete dumps in a row are forgotten (a dump may skip entries while the table is resized, so
     * one absence proves nothing); an interrupted dump proves nothing about absent entries.
     */
    void endDump(boolean complete) {
        seeded = true;
        if (!complete) {
            return;
        }
        for (Iterator<Last> it = flows.values().iterator(); it.hasNext(); ) {
            Last last = it.next();
            if (last.dump != dump && ++last.missedDumps >= MISSED_DUMPS_BEFORE_FORGETTING) {
                it.remove();
                vanished++;
            }
        }
    }

    /**
     * A DESTROY event with the entry's final counters. {@code billUnknown}: an entry never seen
     * started after the first dump (false while that dump's own events are applied: an entry
     * unknown then may predate the collector).
     */
    void destroyed(Flow flow, boolean billUnknown, Listener listener) {
        Last last = flows.remove(key(flow));
        if (last == null) {
            if (billUnknown) {
                listener.traffic(flow, flow.originalPackets(), flow.originalBytes(), flow.replyPackets(), flow.replyBytes(), true, true);
            } else {
                destroyedBeforeSeed++;
            }
        } else if (last.exceededBy(flow)) {
            listener.traffic(flow, flow.originalPackets() - last.originalPackets, flow.originalBytes() - last.originalBytes,
                    flow.replyPackets() - last.replyPackets, flow.replyBytes() - last.replyBytes, false, true);
        } else {
            reused++;
            listener.traffic(flow, flow.originalPackets(), flow.originalBytes(), flow.replyPackets(), flow.replyBytes(), true, true);
        }
    }

    /** Entries currently tracked. */
    int tracked() {
        return flows.size();
    }

    /** Entries in the last dump (not counting dying ones), and how many of them carried no counters. */
    long dumpEntries() {
        return dumpEntries;
    }

    long dumpWithoutCounters() {
        return dumpWithoutCounters;
    }

    /** Entries forgotten without a DESTROY event: whatever they carried after their last dump is not billed. */
    long vanished() {
        return vanished;
    }

    /** Keys seen again with lower counters: a new entry under a reused key, billed from zero. */
    long reused() {
        return reused;
    }

    /** Dump records skipped because the entry was being deleted. */
    long dying() {
        return dying;
    }

    long destroyedBeforeSeed() {
        return destroyedBeforeSeed;
    }

    private static ByteBuffer key(Flow flow) {
        ByteBuffer key = ByteBuffer.allocate(2 + 1 + 1 + 16 + 16 + 2 + 2 + 8 + 8);
        key.putShort((short) flow.zone()).put((byte) flow.family()).put((byte) flow.protocol());
        key.put(flow.originalSource()).position(4 + 16).put(flow.originalDestination()).position(4 + 32);
        key.putShort((short) flow.originalSourcePort()).putShort((short) flow.originalDestinationPort());
        key.putLong(flow.id()).putLong(flow.startNanos());
        return key.flip();
    }
}
