package org.gleaner.agent.logging;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.gleaner.agent.cli.Cli;

/**
 * Routes all logging (java.util.logging, and slf4j through slf4j-jdk14) to stderr, one line per
 * record. Under journald (stderr is the stream named by JOURNAL_STREAM, see sd-daemon(3)) each
 * line starts with its "<N>" syslog priority and has no timestamp of its own; otherwise it starts
 * with a compact local timestamp and the level.
 */
public final class LogSetup {
    private LogSetup() {}

    public static void install(boolean debug) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Level level = debug ? Level.FINE : Level.INFO;
        root.setLevel(level);
        Handler handler = new StderrHandler(System.err, stderrIsJournal() ? new JournalFormatter() : new LineFormatter());
        handler.setLevel(level);
        root.addHandler(handler);
    }

    /** JOURNAL_STREAM is "DEV:INODE" of the journal's stream; it only counts if stderr is still that stream. */
    static boolean stderrIsJournal() {
        String stream = System.getenv("JOURNAL_STREAM");
        if (stream == null || stream.isEmpty()) {
            return false;
        }
        try {
            Path stderr = Path.of("/proc/self/fd/2");
            Object dev = Files.getAttribute(stderr, "unix:dev");
            Object ino = Files.getAttribute(stderr, "unix:ino");
            return stream.equals(dev + ":" + ino);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true;
        }
    }

    static String text(LogRecord record, Formatter formatter) {
        String message = formatter.formatMessage(record);
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            message += ": " + thrown;
        }
        return Cli.oneLine(message);
    }

    /** sd-daemon(3) priorities: 3 err, 4 warning, 6 info, 7 debug. */
    static int priority(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return 3;
        } else if (value >= Level.WARNING.intValue()) {
            return 4;
        } else if (value >= Level.INFO.intValue()) {
            return 6;
        }
        return 7;
    }

    static final class JournalFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            return "<" + priority(record.getLevel()) + ">" + text(record, this) + "\n";
        }
    }

    static final class LineFormatter extends Formatter {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord record) {
            String level = switch (priority(record.getLevel())) {
                case 3 -> "ERROR";
                case 4 -> "WARN";
                case 6 -> "INFO";
                default -> "DEBUG";
            };
            return TIME.format(Instant.ofEpochMilli(record.getMillis())) + " " + level + " " + text(record, this) + "\n";
        }
    }

    /** Writes and flushes each record at once: a daemon's log must not sit in a buffer. */
    private static final class StderrHandler extends Handler {
        private final PrintStream err;

        StderrHandler(PrintStream err, Formatter formatter) {
            this.err = err;
            setFormatter(formatter);
        }

        @Override
        public void publish(LogRecord record) {
            if (isLoggable(record)) {
                err.print(getFormatter().format(record));
                err.flush();
            }
        }

        @Override
        public void flush() {
            err.flush();
        }

        @Override
        public void close() {
            err.flush();
        }
    }
}
