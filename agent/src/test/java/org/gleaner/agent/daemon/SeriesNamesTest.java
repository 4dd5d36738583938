package org.gleaner.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SeriesNamesTest {
    @Test
    void namesAreTheEscapedJoinKeptWhileReported() {
        SeriesNames names = new SeriesNames("host.cgroup");
        names.beginRun();
        String first = names.name(new String[] {"system.slice", "a b.service", "cpu"});
        assertEquals(MetricNames.join("host.cgroup", "system.slice", "a b.service", "cpu"), first);
        assertEquals("host.cgroup.system_slice.a_b_service.cpu", first);
        assertEquals("host.cgroup.x._", names.name(new String[] {"x", null}));
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
