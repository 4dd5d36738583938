package org.gleaner.agent.filewatch;

import java.io.IOException;
import java.io.PrintStream;
import java.util.stream.Collectors;
import org.gleaner.agent.cli.Cli;
import org.gleaner.collectors.text.BytePath;

/** The output thread: waits for each debounced batch and delivers it, until the reader goes away. */
public final class BatchLoop {

    private BatchLoop() {}

    /**
     * Runs until delivering fails with an IOException (the reader went away: EPIPE) or the thread is
     * interrupted; both return normally. A batch standing for lost events is announced on {@code warnings}.
     */
    public static void run(ChangeBatcher batcher, BatchSink sink, PrintStream warnings) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                ChangeBatcher.Batch batch = batcher.awaitBatch();
                if (batch.overflow()) {
                    String roots = batch.paths().stream().map(BytePath::toString).collect(Collectors.joining(" "));
                    warnings.println("fatrace-pipe: warning: the event queue overflowed and changes were lost;"
                            + " reporting " + Cli.oneLine(roots) + " for a full rescan");
                }
                sink.deliver(batch);
            }
        } catch (IOException readerGone) {
            // EPIPE: whoever read our output is gone, and so is our purpose.
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }
}
