package org.gleaner.agent.collect;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gleaner.agent.config.Units;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.bitrot.DigestAlgorithm;
import org.gleaner.collectors.bitrot.PathFilter;
import org.gleaner.collectors.bitrot.ScrubberCollector;
import org.gleaner.collectors.bitrot.Scrubber;

/**
 * {@code collectors: {scrubber: {paths: [/data], rate: 10MiB/s, db: /var/lib/gleaner/bitrot.db}}}: the
 * bitrot-scrub engine running continuously in the background at a low rate
 * (org/gleaner/collectors/bitrot/README.md). Off unless configured.
 */
public final class ScrubberCollectorFactory implements CollectorFactory {
    static final String DEFAULT_DB = "/var/lib/gleaner/bitrot.db";

    @Override
    public String name() {
        return "scrubber";
    }

    @Override
    public boolean enabledByDefault() {
        return false;
    }

    @Override
    public Collector create(CollectorOptions options, Duration timeout) {
        List<String> paths = options.strings("paths", List.of());
        if (paths.isEmpty()) {
            throw InvalidOption.of(options, "paths", "the directories to scrub are required");
        }
        List<byte[]> roots = new ArrayList<>();
        for (String path : paths) {
            Path root = Path.of(path);
            if (!root.isAbsolute() || !Files.isDirectory(root)) {
                throw InvalidOption.of(options, "paths", "not an absolute path of a directory: " + path);
            }
            roots.add(root.normalize().toString().getBytes(StandardCharsets.UTF_8));
        }
        long rate;
        try {
            rate = Units.bytesPerSecond(options.string("rate", "10MiB/s"));
        } catch (IllegalArgumentException e) {
            throw InvalidOption.of(options, "rate", e.getMessage());
        }
        String hash = options.string("hash", null);
        DigestAlgorithm algorithm;
        PathFilter filter;
        try {
            algorithm = hash == null ? null : DigestAlgorithm.of(hash);
            filter = new PathFilter(options.strings("include", List.of()), options.strings("exclude", List.of()));
        } catch (IllegalArgumentException e) {
            throw InvalidOption.of(options, hash == null ? "exclude" : "hash", e.getMessage());
        }
        Duration olderThan = options.duration("older_than", Duration.ofDays(30));
        Duration pause = options.duration("pause", Duration.ofHours(1));
        if (pause.isZero() || pause.isNegative()) {
            throw InvalidOption.of(options, "pause", "must be more than 0");
        }
        Scrubber.Options scrub = new Scrubber.Options(roots, algorithm, null, 0, olderThan, rate, 0, filter,
                options.bool("cross_filesystems", false), true);
        return ScrubberCollector.start(new ScrubberCollector.Settings(Path.of(options.string("db", DEFAULT_DB)), scrub, pause));
    }
}
