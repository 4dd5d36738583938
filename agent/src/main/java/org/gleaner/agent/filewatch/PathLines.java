package org.gleaner.agent.filewatch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import org.gleaner.collectors.text.BytePath;

/**
 * Writes a batch as paths, one per line (or NUL-terminated with {@code -0}), and flushes it whole.
 * Each path is written as its exact bytes, whatever the locale, so a program reading them (xargs,
 * --exec) opens the very file that changed. In line mode a path holding a newline cannot be written
 * unambiguously: it is skipped with a warning.
 */
public final class PathLines implements BatchSink {

    private final OutputStream out;
    private final byte separator;
    private final PrintStream warnings;

    public PathLines(OutputStream out, boolean nulSeparated, PrintStream warnings) {
        this.out = out;
        this.separator = nulSeparated ? (byte) 0 : (byte) '\n';
        this.warnings = warnings;
    }

    @Override
    public void deliver(ChangeBatcher.Batch batch) throws IOException {
        out.write(encode(batch, separator, warnings));
        out.flush();
    }

    /** The batch as bytes: each path followed by {@code separator}; paths holding it are left out. */
    static byte[] encode(ChangeBatcher.Batch batch, byte separator, PrintStream warnings) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (BytePath path : batch.paths()) {
            byte[] raw = path.bytes();
            if (contains(raw, separator)) {
                warnings.println("fatrace-pipe: warning: skipped a path holding a newline (use -0): " + path);
                continue;
            }
            bytes.write(raw, 0, raw.length);
            bytes.write(separator);
        }
        return bytes.toByteArray();
    }

    private static boolean contains(byte[] raw, byte wanted) {
        for (byte b : raw) {
            if (b == wanted) {
                return true;
            }
        }
        return false;
    }
}
