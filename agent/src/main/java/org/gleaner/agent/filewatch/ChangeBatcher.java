package org.gleaner.agent.filewatch;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.gleaner.collectors.text.BytePath;

/**
 * Collects changes from the event thread and hands them to the output thread in debounced batches:
 * a batch is due once no change arrived for the quiet period, or once its oldest change waited the
 * maximum delay (so a steady stream of changes still gets reported). While the output thread is busy
 * (a slow reader, a running command), changes keep merging into the next batch.
 */
public final class ChangeBatcher {

    /** Distinct paths one batch may hold before it turns into a rescan marker. */
    static final int MAX_PATHS_PER_BATCH = 65_536;

    /** A batch of paths to report and whether it stands for lost events (a rescan marker). */
    public record Batch(List<BytePath> paths, boolean overflow) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PendingChanges pending = new PendingChanges(MAX_PATHS_PER_BATCH);
    private final List<BytePath> roots;
    private final boolean includeGone;
    private final long quietNanos;
    private final long maxDelayNanos;
    private long firstChangeNanos;
    private long lastChangeNanos;

    /**
     * @param roots       printed as the rescan marker after an overflow
     * @param includeGone report deletes and moves out too
     * @param quietMillis the debounce: 0 hands every change over at once
     */
    public ChangeBatcher(List<BytePath> roots, boolean includeGone, long quietMillis) {
        this.roots = List.copyOf(roots);
        this.includeGone = includeGone;
        this.quietNanos = TimeUnit.MILLISECONDS.toNanos(quietMillis);
        this.maxDelayNanos = 10 * quietNanos;
    }

    public void changed(BytePath path, boolean appeared) {
        update(() -> pending.changed(path, appeared));
    }

    public void gone(BytePath path) {
        update(() -> pending.gone(path));
    }

    public void overflow() {
        update(pending::overflow);
    }

    private void update(Runnable change) {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (pending.isEmpty()) {
                firstChangeNanos = now;
            }
            lastChangeNanos = now;
            change.run();
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until a batch with at least one path is due and returns it. */
    public Batch awaitBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (pending.isEmpty()) {
                    changed.await();
                    continue;
                }
                long now = System.nanoTime();
                long dueNanos = Math.min(lastChangeNanos + quietNanos, firstChangeNanos + maxDelayNanos);
                if (now - dueNanos < 0) {
                    changed.awaitNanos(dueNanos - now);
                    continue;
                }
                boolean overflow = pending.overflowed();
                List<BytePath> paths = pending.drain(includeGone, roots);
                if (!paths.isEmpty()) {
                    return new Batch(paths, overflow);
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
