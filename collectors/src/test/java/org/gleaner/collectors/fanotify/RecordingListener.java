package org.gleaner.collectors.fanotify;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.gleaner.collectors.text.BytePath;

/** Collects what a watcher delivers, for assertions from the test thread. */
final class RecordingListener implements FileEventListener {
    private final List<FileEvent> events = new ArrayList<>();
    private final Consumer<FileEvent> afterEach;
    private int overflows;

    RecordingListener() {
        this(event -> { });
    }

    /** @param afterEach runs on the reader thread after each event is recorded (to stall, throw, close...) */
    RecordingListener(Consumer<FileEvent> afterEach) {
        this.afterEach = afterEach;
    }

    @Override
    public void onEvent(FileEvent event) {
        synchronized (this) {
            events.add(event);
            notifyAll();
        }
        afterEach.accept(event);
    }

    @Override
    public synchronized void onOverflow() {
        overflows++;
        notifyAll();
    }

    synchronized List<FileEvent> events() {
        return List.copyOf(events);
    }

    synchronized int overflows() {
        return overflows;
    }

    /** Waits (at most {@code limit}) until an event matches; returns whether one did. */
    synchronized boolean await(Predicate<FileEvent> wanted, Duration limit) throws InterruptedException {
        return awaitCondition(() -> events.stream().anyMatch(wanted), limit);
    }

    synchronized boolean awaitOverflow(Duration limit) throws InterruptedException {
        return awaitCondition(() -> overflows > 0, limit);
    }

    private boolean awaitCondition(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** The union of the masks seen per path, relative to {@code root}, without the ONDIR bit. */
    synchronized Map<String, Long> masksByPath(Path root) {
        Map<String, Long> masks = new TreeMap<>();
        for (FileEvent event : events) {
            BytePath rootPath = BytePath.of(root);
            String key = event.path().startsWith(rootPath) ? rootPath.relativize(event.path()).toString() : event.path().toString();
            masks.merge(key, event.mask() & ~FileEvent.ONDIR, (a, b) -> a | b);
        }
        return masks;
    }
}
