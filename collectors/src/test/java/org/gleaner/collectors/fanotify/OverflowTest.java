package org.gleaner.collectors.fanotify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Options;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Scope;
import org.gleaner.collectors.text.BytePath;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.FanotifyQueue;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverflowTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    @Privileged("lowering fs.fanotify.max_queued_events and marking a filesystem need root")
    void aFullQueueIsReportedNotSwallowed() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fanotify-overflow")) {
            Path root = tmpfs.path();
            CountDownLatch floodDone = new CountDownLatch(1);
            // The recorder holds the reader on the first event until the flood is over, so the
            // 64-event queue must overflow.
            RecordingListener recorder = new RecordingListener(event -> awaitQuietly(floodDone));
            FanotifyWatcher watcher = FanotifyQueue.whileCreating(64,
                    () -> FanotifyWatcher.start(Options.watching(root).withScope(Scope.FILESYSTEM), recorder));
            try (watcher) {
                Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && seq 1 2000 | xargs touch", "sh", root.toString()).ok();
                floodDone.countDown();
                assertTrue(recorder.awaitOverflow(LIMIT), "no overflow reported after 2000 creates into a 64-event queue");
                assertTrue(recorder.events().size() < 2000 * 3);
                assertTrue(watcher.failure().isEmpty());
            }
        }
    }

    @Test
    @Privileged("lowering fs.fanotify.max_queued_events needs root")
    void treeModeRecoversFromAnOverflowWithoutOverflowingAgain(@TempDir Path root) throws Exception {
        Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && mkdir -p $(seq -f 'd%g/sub' 1 100)", "sh", root.toString()).ok();
        CountDownLatch floodDone = new CountDownLatch(1);
        RecordingListener recorder = new RecordingListener(event -> awaitQuietly(floodDone));
        // 200 directories, an 8-event queue: the walks that mark them (at start and after the
        // overflow) must not queue events of their own, or every walk would overflow again.
        FanotifyWatcher watcher = FanotifyQueue.whileCreating(8,
                () -> FanotifyWatcher.start(Options.watching(root).withScope(Scope.TREE), recorder));
        try (watcher) {
            Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && seq -f 'd%g/sub/f' 1 100 | xargs touch", "sh", root.toString()).ok();
            floodDone.countDown();
            assertTrue(recorder.awaitOverflow(LIMIT), "no overflow reported");
            Thread.sleep(500);
            int overflows = recorder.overflows();
            assertTrue(overflows <= 2, overflows + " overflows: the rescan overflowed the queue again");
            Cmd.run(LIMIT, "sh", "-c", "echo x > \"$1\"/d7/sub/after", "sh", root.toString()).ok();
            assertTrue(recorder.await(e -> e.path().equals(BytePath.of(root.resolve("d7/sub/after"))) && e.has(FileEvent.CLOSE_WRITE),
                    LIMIT), "events after the overflow are seen");
            assertEquals(overflows, recorder.overflows());
            assertTrue(watcher.failure().isEmpty());
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
