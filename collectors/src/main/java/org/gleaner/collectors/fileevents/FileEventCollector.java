package org.gleaner.collectors.fileevents;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.MetricSink;
import org.gleaner.collectors.fanotify.FanotifyWatcher;
import org.gleaner.collectors.text.BytePath;

/**
 * File activity of the whole machine, counted from fanotify filesystem marks: events per type, per
 * process name and per mount, and queue overflows. The counting runs on the watcher's reader thread
 * between collections; {@link #collect} reports the totals. Metrics are listed in this package's README.
 */
public final class FileEventCollector implements Collector {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final FileEventCounts counts;
    private final FanotifyWatcher watcher;

    private FileEventCollector(FileEventCounts counts, FanotifyWatcher watcher) {
        this.counts = counts;
        this.watcher = watcher;
    }

    /**
     * Marks the filesystem holding each of {@code paths} (root only) and starts counting.
     *
     * @param slots named slots for processes and for mounts before the rest counts as "other"
     * @throws org.gleaner.collectors.fanotify.FanotifyException with a one-line reason
     */
    public static FileEventCollector start(List<Path> paths, int slots) {
        FileEventCounts counts = new FileEventCounts(FileEventCollector::readMounts, slots);
        FanotifyWatcher.Options options = new FanotifyWatcher.Options(paths.stream().map(BytePath::of).toList(),
                FanotifyWatcher.Scope.FILESYSTEM,
                FanotifyWatcher.ALL_EVENTS, Set.of(), false, true, FanotifyWatcher.Options.DEFAULT_BUFFER_BYTES);
        return new FileEventCollector(counts, FanotifyWatcher.start(options, counts));
    }

    private static MountTable readMounts() {
        try {
            return MountTable.parse(Files.readAllBytes(MOUNTINFO));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + MOUNTINFO + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void collect(MetricSink sink) {
        watcher.failure().ifPresent(failure -> {
            throw new IllegalStateException("the fanotify reader stopped: " + failure.getMessage(), failure);
        });
        FileEventCounts.Totals totals = counts.totals();
        long at = totals.readMillis();
        for (FileEventCounts.Type type : FileEventCounts.Type.values()) {
            sink.counter(at, totals.byType()[type.ordinal()], "type", type.metricName());
        }
        report(sink, at, "process", totals.byProcess());
        report(sink, at, "mount", totals.byMount());
        sink.counter(at, totals.overflows(), "overflows");
    }

    private static void report(MetricSink sink, long at, String dimension, CappedCounters.Snapshot snapshot) {
        for (Map.Entry<String, Long> entry : snapshot.named().entrySet()) {
            sink.counter(at, entry.getValue(), dimension, "top", entry.getKey());
        }
        sink.counter(at, snapshot.other(), dimension, "other");
    }

    @Override
    public void close() {
        watcher.close();
    }
}
