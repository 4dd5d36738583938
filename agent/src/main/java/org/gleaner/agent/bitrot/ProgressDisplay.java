package org.gleaner.agent.bitrot;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.gleaner.collectors.bitrot.Scrubber;

/** A progress bar on the terminal: files found while walking, then bytes digested with rate and ETA. */
public final class ProgressDisplay implements Scrubber.Listener, AutoCloseable {
    private final ProgressBar bar;
    private long plannedFiles;

    public ProgressDisplay(PrintStream terminal) {
        bar = new ProgressBarBuilder().setTaskName("bitrot-scrub").setInitialMax(-1).setStyle(ProgressBarStyle.ASCII)
                .setUnit("MiB", 1 << 20).showSpeed().setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(terminal)).clearDisplayOnFinish().build();
    }

    @Override
    public void scanned(long files, long bytes) {
        bar.setExtraMessage(" " + files + " files found");
    }

    @Override
    public void planned(long files, long bytes) {
        plannedFiles = files;
        bar.maxHint(bytes);
        bar.stepTo(0);
        bar.setExtraMessage(" 0/" + files + " files");
    }

    @Override
    public void digested(long files, long bytes) {
        bar.stepTo(bytes);
        bar.setExtraMessage(" " + files + "/" + plannedFiles + " files");
    }

    @Override
    public void close() {
        bar.close();
    }
}
