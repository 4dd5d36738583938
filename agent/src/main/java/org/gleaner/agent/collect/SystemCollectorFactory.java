package org.gleaner.agent.collect;

import java.nio.file.Path;
import java.time.Duration;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.system.SystemCollector;

/** {@code collectors: {system: {per_cpu: false}}}: load, memory, VM, CPU and pressure figures of the host. */
public final class SystemCollectorFactory implements CollectorFactory {
    @Override
    public String name() {
        return "system";
    }

    @Override
    public boolean enabledByDefault() {
        return true;
    }

    @Override
    public Collector create(CollectorOptions options, Duration timeout) {
        return new SystemCollector(Path.of("/proc"), options.bool("per_cpu", false));
    }
}
