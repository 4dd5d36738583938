package org.gleaner.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeriesNamesTest {
    @Test
    void namesAreTheEscapedJoinKeptWhileReported() {
        SeriesNames names = new SeriesNames("host.cgroup");
        names.beginRun();
        String first = names.name(new String[] {"system.slice", "a b.service", "cpu"});
        assertEquals(MetricNames.join("host.cgroup", "system.slice", "a b.service", "cpu"), first);
        assertEquals("host.cgroup." + MetricNames.escape("system.slice") + "." + MetricNames.escape("a b.service") + ".cpu", first);
        assertTrue(first.matches("host\\.cgroup\\.system_slice_[0-9a-f]{12}\\.a_b_service_[0-9a-f]{12}\\.cpu"), first);
        assertEquals("host.cgroup.x." + MetricNames.escape(null), names.name(new String[] {"x", null}));
        assertEquals("host.cgroup.x", names.name(new String[] {"x"}), "a shorter path is another series");
        names.forgetUnseen();
        assertEquals(3, names.size());

        names.beginRun();
        assertSame(first, names.name(new String[] {"system" + ".slice", new String("a b.service"), "cpu"}),
                "equal components, other array and strings: the same name");
        names.forgetUnseen();
        assertEquals(1, names.size(), "the paths the run did not report are forgotten");
    }
}
