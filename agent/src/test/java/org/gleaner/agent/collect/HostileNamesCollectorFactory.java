package org.gleaner.agent.collect;

import java.time.Duration;
import java.util.List;
import org.gleaner.collectors.Collector;

/**
 * Test-only collector "hostile" (registered through META-INF/services in the test resources):
 * reports one gauge and one counter per hostile name component, as a cgroup, process or device
 * name could be.
 */
public final class HostileNamesCollectorFactory implements CollectorFactory {
    public static final List<String> NAMES = List.of("new\nline", "with space", "dots.in.name", "semi;colon", "",
            "fake 1 2\nsecond.line 3 4", "tab\tand\rcr", "../up");

    @Override
    public String name() {
        return "hostile";
    }

    @Override
    public boolean enabledByDefault() {
        return false;
    }

    @Override
    public Collector create(CollectorOptions options, Duration timeout) {
        return sink -> {
            long now = System.currentTimeMillis();
            for (String name : NAMES) {
                sink.gauge(now, 7, "proc", name, "rss");
                sink.counter(now, 100, "proc", name, "bytes");
            }
        };
    }
}
