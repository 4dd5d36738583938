package org.gleaner.agent.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.gleaner.agent.pipeline.Datapoint;
import org.gleaner.agent.pipeline.Delivery;

/** Prints each datapoint as a Graphite plaintext line ("path value timestamp"): the default with no carbon configured. */
public final class StdoutDelivery implements Delivery {
    /** Whoever read the output went away (e.g. {@code gleaner agent | head}): the agent stops quietly. */
    public static final class OutputClosedException extends IOException {
        OutputClosedException() {
            super("stdout is closed");
        }
    }

    private final PrintStream out;

    public StdoutDelivery(PrintStream out) {
        this.out = out;
    }

    @Override
    public void submit(List<Datapoint> cycle) throws IOException {
        StringBuilder lines = new StringBuilder(cycle.size() * 64);
        for (Datapoint datapoint : cycle) {
            lines.append(datapoint.path()).append(' ');
            appendValue(lines, datapoint.value());
            lines.append(' ').append(datapoint.epochSeconds()).append('\n');
        }
        // names are escaped to ASCII and values are digits: encoding the text ourselves skips the
        // PrintStream's char-buffer and charset-encoder passes over every line
        out.writeBytes(lines.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        if (out.checkError()) {
            throw new OutputClosedException();
        }
    }

    /** Whole numbers without a fraction ("4096", not "4096.0"), others in the shortest exact form. */
    static void appendValue(StringBuilder out, double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
    }

    @Override
    public void close(Duration drainLimit) {
        out.flush();
    }
}
