package org.gleaner.agent.collect;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.cgroup.CgroupCollector;

/**
 * {@code collectors: {cgroup: {include: [...], exclude: [...], max_units: 1000, blkio_accounting_rules: false}}}:
 * CPU, memory, processes, block IO and pressure per systemd unit and container (docs/collector-cgroup.md).
 */
public final class CgroupCollectorFactory implements CollectorFactory {
    @Override
    public String name() {
        return "cgroup";
    }

    @Override
    public boolean enabledByDefault() {
        return true;
    }

    @Override
    public Collector create(CollectorOptions options, Duration timeout) {
        List<String> include = patterns(options, "include");
        List<String> exclude = patterns(options, "exclude");
        long maxUnits = options.integer("max_units", CgroupCollector.Settings.DEFAULT_MAX_UNITS);
        if (maxUnits < 0 || maxUnits > Integer.MAX_VALUE) {
            throw InvalidOption.of(options, "max_units", "must be between 0 and " + Integer.MAX_VALUE);
        }
        boolean blkioRules = options.bool("blkio_accounting_rules", false);
        return new CgroupCollector(new CgroupCollector.Settings(Path.of("/"), include, exclude, (int) maxUnits, blkioRules));
    }

    private static List<String> patterns(CollectorOptions options, String key) {
        List<String> patterns = options.strings(key, List.of());
        if (patterns.stream().anyMatch(String::isEmpty)) {
            throw InvalidOption.of(options, key, "a pattern must not be empty");
        }
        return patterns;
    }
}
