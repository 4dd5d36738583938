package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.Test;

class BatchLoopTest {

    private static final BytePath ROOT = BytePath.ofArgument("/w");

    @Test
    void aFailedWriteMeansTheReaderIsGoneAndEndsTheLoop() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(ROOT), false, 0);
        batcher.changed(ROOT.resolve("a"), false);
        BatchSink brokenPipe = batch -> {
            throw new IOException("Broken pipe");
        };
        CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> BatchLoop.run(batcher, brokenPipe, System.err));
        loop.get(5, TimeUnit.SECONDS);
    }

    @Test
    void anOverflowBatchIsAnnouncedOnStderrAndStillDelivered() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(ROOT), false, 0);
        batcher.overflow();
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PathLines lines = new PathLines(out, false, System.err);
        BatchSink thenStop = batch -> {
            lines.deliver(batch);
            throw new IOException("stop");
        };
        BatchLoop.run(batcher, thenStop, new PrintStream(warnings, true, StandardCharsets.UTF_8));
        assertEquals("/w\n", out.toString(StandardCharsets.UTF_8));
        String warning = warnings.toString(StandardCharsets.UTF_8);
        assertTrue(warning.startsWith("fatrace-pipe: warning: the event queue overflowed"), warning);
        assertEquals(1, warning.lines().count());
    }

    @Test
    void anInterruptEndsTheLoopWhileItWaits() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(ROOT), false, 0);
        Thread loop = new Thread(() -> BatchLoop.run(batcher, batch -> { }, System.err));
        loop.start();
        Thread.sleep(100);
        loop.interrupt();
        loop.join(5000);
        assertFalse(loop.isAlive());
    }
}
