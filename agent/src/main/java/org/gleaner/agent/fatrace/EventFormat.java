package org.gleaner.agent.fatrace;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.gleaner.collectors.fanotify.FileEvent;
import org.gleaner.collectors.text.ByteText;

/**
 * fatrace's output, line by line: {@code [time ]comm(pid): LETTERS path}, or one JSON object per line.
 * Names are bytes and print in the one form every gleaner tool uses ({@link ByteText}): printable
 * UTF-8 as it is, a backslash doubled, any other byte {@code \xNN}; in JSON the same text, plus
 * {@code comm_base64}/{@code path_base64} with the exact bytes when the name is not plain.
 * Letters follow martinpitt/fatrace: R read, C close, W write (modify or close-after-write), O open,
 * + create, D delete, &lt; moved from, &gt; moved to.
 */
public final class EventFormat {

    /** How -t is given: not at all, once (local time of day), or twice (seconds since the epoch). */
    public enum Timestamp { NONE, TIME_OF_DAY, EPOCH }

    private final Timestamp timestamp;
    private final boolean json;
    private final ZoneId zone = ZoneId.systemDefault();

    public EventFormat(Timestamp timestamp, boolean json) {
        this.timestamp = timestamp;
        this.json = json;
    }

    public static String letters(long mask) {
        StringBuilder letters = new StringBuilder(8);
        if ((mask & FileEvent.ACCESS) != 0) {
            letters.append('R');
        }
        if ((mask & (FileEvent.CLOSE_WRITE | FileEvent.CLOSE_NOWRITE)) != 0) {
            letters.append('C');
        }
        if ((mask & (FileEvent.MODIFY | FileEvent.CLOSE_WRITE)) != 0) {
            letters.append('W');
        }
        if ((mask & FileEvent.OPEN) != 0) {
            letters.append('O');
        }
        if ((mask & FileEvent.CREATE) != 0) {
            letters.append('+');
        }
        if ((mask & FileEvent.DELETE) != 0) {
            letters.append('D');
        }
        if ((mask & FileEvent.MOVED_FROM) != 0) {
            letters.append('<');
        }
        if ((mask & FileEvent.MOVED_TO) != 0) {
            letters.append('>');
        }
        return letters.toString();
    }

    /**
     * The FileEvent bits selected by a --filter argument (letters as printed; '<' and '>' both select
     * renames), or throws IllegalArgumentException naming the first unknown letter.
     */
    public static long filterMask(String types) {
        long mask = 0;
        for (char type : types.toCharArray()) {
            mask |= switch (Character.toUpperCase(type)) {
                case 'R' -> FileEvent.ACCESS;
                case 'C' -> FileEvent.CLOSE_WRITE | FileEvent.CLOSE_NOWRITE;
                case 'W' -> FileEvent.CLOSE_WRITE | FileEvent.MODIFY;
                case 'O' -> FileEvent.OPEN;
                case '+' -> FileEvent.CREATE;
                case 'D' -> FileEvent.DELETE;
                case '<', '>' -> FileEvent.MOVED_FROM | FileEvent.MOVED_TO;
                default -> throw new IllegalArgumentException("unknown event type '" + type
                        + "' in --filter (choose from R C W O + D < >)");
            };
        }
        if (mask == 0) {
            throw new IllegalArgumentException("--filter needs at least one event type (R C W O + D < >)");
        }
        return mask;
    }

    /** Appends one output line (with its newline) for {@code event} seen at {@code time}. */
    public void append(StringBuilder out, FileEvent event, String comm, Instant time) {
        if (json) {
            appendJson(out, event, comm, time);
        } else {
            appendText(out, event, comm, time);
        }
        out.append('\n');
    }

    private void appendText(StringBuilder out, FileEvent event, String comm, Instant time) {
        switch (timestamp) {
            case TIME_OF_DAY -> {
                LocalTime local = LocalTime.ofInstant(time, zone);
                pad(out, local.getHour(), 2).append(':');
                pad(out, local.getMinute(), 2).append(':');
                pad(out, local.getSecond(), 2).append('.');
                pad(out, time.getNano() / 1000, 6).append(' ');
            }
            case EPOCH -> epoch(out, time).append(' ');
            case NONE -> { }
        }
        out.append(comm).append('(').append(event.pid()).append("): ").append(letters(event.mask())).append(' ');
        out.append(event.path());
    }

    private void appendJson(StringBuilder out, FileEvent event, String comm, Instant time) {
        out.append('{');
        if (timestamp != Timestamp.NONE) {
            epoch(out.append("\"timestamp\":"), time).append(',');
        }
        ByteText.appendJsonMember(out, "comm", ByteText.parse(comm));
        out.append(",\"pid\":").append(event.pid());
        out.append(",\"types\":");
        ByteText.appendJsonString(out, letters(event.mask()));
        out.append(',');
        ByteText.appendJsonMember(out, "path", event.path().bytes());
        out.append('}');
    }

    private static StringBuilder epoch(StringBuilder out, Instant time) {
        out.append(time.getEpochSecond()).append('.');
        return pad(out, time.getNano() / 1000, 6);
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }
}
