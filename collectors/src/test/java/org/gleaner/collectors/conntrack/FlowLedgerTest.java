package org.gleaner.collectors.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.gleaner.collectors.ctnetlink.Flow;
import org.junit.jupiter.api.Test;

class FlowLedgerTest {
    private static final byte[] A = {10, 0, 0, 1};
    private static final byte[] B = {10, 0, 0, 2};

    private final FlowLedger ledger = new FlowLedger();
    private final List<String> billed = new ArrayList<>();
    private final FlowLedger.Listener listener = (flow, op, ob, rp, rb, started, ended) ->
            billed.add(flow.originalSourcePort() + ":" + op + "/" + ob + "/" + rp + "/" + rb + (started ? " started" : "") + (ended ? " ended" : ""));

    private static Flow flow(int port, long id, long bytes, boolean destroyed, int status) {
        return new Flow(destroyed, 2, 17, A, B, port, 53, B, A, 53, 0, id, status, true, bytes / 100, bytes, bytes / 100, bytes, 0);
    }

    private void dump(Flow... flows) {
        ledger.beginDump();
        for (Flow flow : flows) {
            ledger.dumped(flow, listener);
        }
        ledger.endDump(true);
    }

    @Test
    void theFirstDumpRecordsOnlyThenDumpsBillWhatWasGainedAndDestroyBillsTheRest() {
        dump(flow(1, 7, 1000, false, 0));
        assertEquals(List.of(), billed, "traffic before the collector started is not billed");
        dump(flow(1, 7, 1500, false, 0), flow(2, 8, 300, false, 0));
        ledger.destroyed(flow(1, 7, 1700, true, 0), true, listener);
        ledger.destroyed(flow(3, 9, 400, true, 0), true, listener);
        assertEquals(List.of("1:5/500/5/500", "2:3/300/3/300 started", "1:2/200/2/200 ended", "3:4/400/4/400 started ended"), billed);
        assertEquals(1, ledger.tracked());
    }

    @Test
    void aCounterGoingDownIsANewEntryUnderAReusedKey() {
        dump(flow(1, 7, 1000, false, 0));
        dump(flow(1, 7, 200, false, 0));
        assertEquals(List.of("1:2/200/2/200 started"), billed);
        assertEquals(1, ledger.reused());
    }

    @Test
    void dyingEntriesAreLeftToTheirDestroyEvent() {
        dump(flow(1, 7, 1000, false, 0));
        dump(flow(1, 7, 1500, false, Flow.STATUS_DYING));
        ledger.destroyed(flow(1, 7, 1500, true, Flow.STATUS_DYING), true, listener);
        assertEquals(List.of("1:5/500/5/500 ended"), billed);
    }

    @Test
    void eventsOfTheStartUpWindowBillOnlyEntriesTheFirstDumpSaw() {
        dump(flow(1, 7, 1000, false, 0));
        ledger.destroyed(flow(1, 7, 1100, true, 0), false, listener);
        ledger.destroyed(flow(2, 8, 900, true, 0), false, listener);
        assertEquals(List.of("1:1/100/1/100 ended"), billed);
        assertEquals(1, ledger.destroyedBeforeSeed());
    }

    @Test
    void anEntryMissingFromThreeCompleteDumpsIsForgottenAndAnIncompleteDumpProvesNothing() {
        dump(flow(1, 7, 1000, false, 0));
        dump();
        dump();
        ledger.beginDump();
        ledger.endDump(false);
        assertEquals(1, ledger.tracked());
        dump();
        assertEquals(0, ledger.tracked());
        assertEquals(1, ledger.vanished());
    }

    @Test
    void theSameTupleWithAnotherIdIsAnotherEntry() {
        dump();
        dump(flow(1, 7, 100, false, 0), flow(1, 8, 200, false, 0));
        assertEquals(List.of("1:1/100/1/100 started", "1:2/200/2/200 started"), billed);
    }
}
