package org.gleaner.agent.collect;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.fileevents.FileEventCollector;

/**
 * {@code collectors: {fanotify: {paths: ["/"], top: 20}}}: file events per type, process and mount on
 * the filesystems holding {@code paths}. Off unless configured: it sees every process on the machine
 * and costs a little on every file access.
 */
public final class FanotifyCollectorFactory implements CollectorFactory {
    @Override
    public String name() {
        return "fanotify";
    }

    @Override
    public boolean enabledByDefault() {
        return false;
    }

    @Override
    public Collector create(CollectorOptions options, Duration timeout) {
        List<Path> paths = options.strings("paths", List.of("/")).stream().map(Path::of).toList();
        long top = options.integer("top", 20);
        if (top < 0 || top > 10_000) {
            throw InvalidOption.of(options, "top", "must be between 0 and 10000, not " + top);
        }
        return FileEventCollector.start(paths, (int) top);
    }
}
