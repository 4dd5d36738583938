package org.gleaner.agent.filewatch;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import org.gleaner.agent.cli.Cli;

/**
 * Writes a batch as paths, one per line (or NUL-terminated with {@code -0}), and flushes it whole.
 * Paths are encoded the way the JVM encodes file names, so they round-trip to the same bytes. In line
 * mode a path holding a newline cannot be written unambiguously: it is skipped with a warning.
 */
public final class PathLines implements BatchSink {

    private static final Charset FILE_NAME_CHARSET = fileNameCharset();

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
        StringBuilder text = new StringBuilder();
        for (Path path : batch.paths()) {
            String name = path.toString();
            if (name.indexOf((char) separator) >= 0) {
                warnings.println("fatrace-pipe: warning: skipped a path holding a newline (use -0): "
                        + Cli.oneLine(name));
                continue;
            }
            text.append(name).append((char) separator);
        }
        return text.toString().getBytes(FILE_NAME_CHARSET);
    }

    private static Charset fileNameCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException unknown) {
            return Charset.defaultCharset();
        }
    }
}
