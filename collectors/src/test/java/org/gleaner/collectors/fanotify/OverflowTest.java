package org.gleaner.collectors.fanotify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Options;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Scope;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.FanotifyQueue;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;

class OverflowTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    @Privileged("lowering fs.fanotify.max_queued_events and marking a filesystem need root")
    void aFullQueueIsReportedNotSwallowed() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fanotify-overflow")) {
            Path root = tmpfs.path();
            CountDownLatch floodDone = new CountDownLatch(1);
            RecordingListener recorder = new RecordingListener();
            // The listener holds the reader on the first event until the flood is over, so the
            // 64-event queue must overflow.
            FileEventListener stalling = new FileEventListener() {
                @Override
                public void onEvent(FileEvent event) {
                    awaitQuietly(floodDone);
                    recorder.onEvent(event);
                }

                @Override
                public void onOverflow() {
                    recorder.onOverflow();
                }
            };
            FanotifyWatcher watcher = FanotifyQueue.whileCreating(64,
                    () -> FanotifyWatcher.start(Options.watching(root).withScope(Scope.FILESYSTEM), stalling));
            try (watcher) {
                Cmd.run(LIMIT, "sh", "-c", "cd \"$1\" && seq 1 2000 | xargs touch", "sh", root.toString()).ok();
                floodDone.countDown();
                assertTrue(recorder.awaitOverflow(LIMIT), "no overflow reported after 2000 creates into a 64-event queue");
                assertTrue(recorder.events().size() < 2000 * 3);
                assertTrue(watcher.failure().isEmpty());
            }
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
