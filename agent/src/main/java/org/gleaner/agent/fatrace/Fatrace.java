package org.gleaner.agent.fatrace;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.gleaner.collectors.fanotify.FileEvent;
import org.gleaner.collectors.fanotify.FileEventListener;
import org.gleaner.collectors.fanotify.ProcessNames;

/**
 * Prints fanotify events the way fatrace does. Output is flushed after each batch the kernel hands
 * over, so a line never waits in a buffer while the tool is idle. A write error (e.g. the reader of
 * a pipe went away) stops the watcher through the exception it throws.
 */
public final class Fatrace implements FileEventListener {
    private final EventFormat format;
    private final String onlyCommand;
    private final OutputStream out;
    private final PrintStream warnings;
    private final StringBuilder line = new StringBuilder(512);
    private long overflows;

    /** @param onlyCommand print only events of processes with this comm, or null */
    public Fatrace(EventFormat format, String onlyCommand, OutputStream out, PrintStream warnings) {
        this.format = format;
        this.onlyCommand = onlyCommand;
        this.out = out;
        this.warnings = warnings;
    }

    @Override
    public void onEvent(FileEvent event) {
        String comm = event.comm() == null ? ProcessNames.UNKNOWN : event.comm();
        if (onlyCommand != null && !onlyCommand.equals(comm)) {
            return;
        }
        line.setLength(0);
        format.append(line, event, comm, Instant.now());
        try {
            out.write(line.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void onOverflow() {
        overflows++;
        warnings.println("fatrace: warning: the kernel's event queue overflowed: events were lost "
                + "(see /proc/sys/fs/fanotify/max_queued_events)");
        warnings.flush();
    }

    @Override
    public void onBatchEnd() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Read after the watcher has stopped. */
    public long overflows() {
        return overflows;
    }
}
