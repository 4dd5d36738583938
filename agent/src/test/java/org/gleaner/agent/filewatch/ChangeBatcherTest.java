package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.Test;

class ChangeBatcherTest {

    private static final BytePath ROOT = BytePath.ofArgument("/w");

    private static CompletableFuture<ChangeBatcher.Batch> next(ChangeBatcher batcher) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return batcher.awaitBatch();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aBurstWithinTheQuietPeriodIsOneBatchWithRepeatsOnce() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(ROOT), false, 300);
        CompletableFuture<ChangeBatcher.Batch> batch = next(batcher);
        for (int i = 0; i < 5; i++) {
            batcher.changed(ROOT.resolve("a"), false);
            batcher.changed(ROOT.resolve("b"), false);
            Thread.sleep(10);
        }
        assertEquals(List.of(ROOT.resolve("a"), ROOT.resolve("b")), batch.get(5, TimeUnit.SECONDS).paths());
    }

    @Test
    void nothingIsHandedOverBeforeTheQuietPeriod() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(ROOT), false, 400);
        long start = System.nanoTime();
        batcher.changed(ROOT.resolve("a"), false);
        batcher.awaitBatch();
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(400));
    }

    @Test
    void aSteadyStreamIsStillReportedAfterTenQuietPeriods() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(ROOT), false, 20);
        CompletableFuture<ChangeBatcher.Batch> batch = next(batcher);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; !batch.isDone() && System.nanoTime() < deadline; i++) {
            batcher.changed(ROOT.resolve("f" + i), false);
            Thread.sleep(5);
        }
        assertTrue(batch.isDone(), "a batch must be due within 10 × 20 ms although changes never stop");
    }

    @Test
    void tooManyDistinctPathsBecomeTheRescanMarker() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(ROOT), false, 0);
        for (int i = 0; i <= ChangeBatcher.MAX_PATHS_PER_BATCH; i++) {
            batcher.changed(ROOT.resolve("f" + i), false);
        }
        ChangeBatcher.Batch batch = batcher.awaitBatch();
        assertTrue(batch.overflow());
        assertEquals(List.of(ROOT), batch.paths());
    }

    @Test
    void goneOnlyBatchesAreNotHandedOverWithoutEvents() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(ROOT), false, 0);
        batcher.gone(ROOT.resolve("deleted"));
        CompletableFuture<ChangeBatcher.Batch> batch = next(batcher);
        Thread.sleep(100);
        batcher.changed(ROOT.resolve("written"), false);
        assertEquals(List.of(ROOT.resolve("written")), batch.get(5, TimeUnit.SECONDS).paths());
    }
}
