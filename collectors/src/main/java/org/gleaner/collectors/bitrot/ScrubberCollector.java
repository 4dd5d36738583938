package org.gleaner.collectors.bitrot;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.MetricSink;

/**
 * Scrubs continuously on a thread of its own, outside the agent's cycles: a run over the
 * configured trees at the configured rate, a pause, the next run. Each collection reports what the
 * runs did so far and the coverage after the last run. A new corruption is also logged once, at
 * SEVERE. While the CLI holds the database the collector waits for it. Metrics: this package's README.
 */
public final class ScrubberCollector implements Collector {
    private static final Logger LOG = Logger.getLogger(ScrubberCollector.class.getName());
    private static final Duration LOCKED_RETRY = Duration.ofMinutes(1);
    private static final long COVERAGE_DAYS = 30;

    private final Settings settings;
    private final ScrubCounts counts = new ScrubCounts();
    private final Thread thread;
    private volatile boolean closed;
    private volatile ScrubStore.Coverage coverage;
    private volatile long coverageMillis;
    private volatile long runsCompleted;
    private volatile String lastProblem;

    /** @param pause the wait between the end of one run and the start of the next */
    public record Settings(Path db, Scrubber.Options options, Duration pause) {}

    private ScrubberCollector(Settings settings) {
        this.settings = settings;
        this.thread = new Thread(this::loop, "scrubber");
        thread.setDaemon(true);
    }

    public static ScrubberCollector start(Settings settings) {
        ScrubberCollector collector = new ScrubberCollector(settings);
        collector.thread.start();
        return collector;
    }

    private void loop() {
        while (!closed) {
            Duration wait = settings.pause();
            try (ScrubStore store = ScrubStore.openForWriting(settings.db())) {
                lastProblem = null;
                Scrubber.Listener listener = new Scrubber.Listener() {
                    @Override
                    public void corrupt(Finding finding) {
                        LOG.severe(finding.line());
                    }
                };
                Scrubber.Report report = new Scrubber(store, settings.options(), counts, listener, () -> closed,
                        Clock.systemUTC()).run();
                if (report.complete()) {
                    runsCompleted++;
                }
                long now = System.currentTimeMillis();
                coverage = store.coverage(settings.options().roots(), now - COVERAGE_DAYS * 86_400_000L);
                coverageMillis = now;
            } catch (StoreException e) {
                if (!e.getMessage().equals(lastProblem)) {
                    LOG.warning("scrubber: " + e.getMessage() + "; retrying every " + LOCKED_RETRY.toMinutes() + " minute(s)");
                    lastProblem = e.getMessage();
                }
                wait = LOCKED_RETRY;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "scrubber: run failed: " + e.getMessage(), e);
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void collect(MetricSink sink) {
        long now = System.currentTimeMillis();
        sink.counter(now, counts.filesVerified.get(), "files_verified");
        sink.counter(now, counts.bytesVerified.get(), "bytes_verified");
        sink.counter(now, counts.filesBaselined.get(), "files_baselined");
        sink.counter(now, counts.bytesBaselined.get(), "bytes_baselined");
        sink.counter(now, counts.filesEdited.get(), "files_edited");
        sink.counter(now, counts.corruptionsFound.get(), "corruptions_found");
        sink.counter(now, counts.skippedChanging.get(), "skipped_changing");
        sink.counter(now, counts.readErrors.get(), "read_errors");
        sink.counter(now, runsCompleted, "runs_completed");
        ScrubStore.Coverage known = coverage;
        if (known == null) {
            return; // no run has finished yet
        }
        sink.gauge(now, known.openFindings(), "open_findings");
        sink.gauge(now, known.files(), "baseline_files");
        sink.gauge(now, known.bytes(), "baseline_bytes");
        sink.gauge(now, known.unbaselined(), "unbaselined_files");
        sink.gauge(now, known.files() == 0 ? 0 : (double) known.checkedWithin() / known.files(), "checked_30d_ratio");
        if (known.oldestCheck() != null) {
            sink.gauge(now, (coverageMillis - known.oldestCheck()) / 1000.0, "oldest_check_age_seconds");
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.interrupt();
        thread.join(10_000);
    }
}
