package org.gleaner.agent.fatrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.gleaner.agent.fatrace.EventFormat.Timestamp;
import org.gleaner.collectors.fanotify.FileEvent;
import org.gleaner.collectors.text.BytePath;
import org.gleaner.collectors.text.ByteText;
import org.junit.jupiter.api.Test;

class EventFormatTest {
    private static final Instant TIME = Instant.ofEpochSecond(1_700_000_000L, 42_000_000L);

    @Test
    void lettersFollowFatracesOrderAndRules() {
        assertEquals("R", EventFormat.letters(FileEvent.ACCESS));
        assertEquals("CW", EventFormat.letters(FileEvent.CLOSE_WRITE));
        assertEquals("C", EventFormat.letters(FileEvent.CLOSE_NOWRITE));
        assertEquals("W", EventFormat.letters(FileEvent.MODIFY));
        assertEquals("RCO", EventFormat.letters(FileEvent.OPEN | FileEvent.ACCESS | FileEvent.CLOSE_NOWRITE));
        assertEquals("CWO+", EventFormat.letters(FileEvent.CREATE | FileEvent.OPEN | FileEvent.MODIFY | FileEvent.CLOSE_WRITE));
        assertEquals("D", EventFormat.letters(FileEvent.DELETE | FileEvent.ONDIR));
        assertEquals("<>", EventFormat.letters(FileEvent.MOVED_FROM | FileEvent.MOVED_TO));
    }

    @Test
    void filterSelectsWhatItsLetterPrints() {
        assertEquals(FileEvent.CLOSE_WRITE | FileEvent.MODIFY, EventFormat.filterMask("W"));
        assertEquals(FileEvent.CLOSE_WRITE | FileEvent.CLOSE_NOWRITE | FileEvent.OPEN, EventFormat.filterMask("oc"));
        assertEquals(FileEvent.CREATE | FileEvent.DELETE | FileEvent.MOVED_FROM | FileEvent.MOVED_TO,
                EventFormat.filterMask("+D<"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> EventFormat.filterMask("RX"));
        assertEquals("unknown event type 'X' in --filter (choose from R C W O + D < >)", unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EventFormat.filterMask(""));
    }

    @Test
    void textLineMatchesFatrace() {
        assertEquals("touch(12): CWO+ /tmp/a b\n",
                line(new EventFormat(Timestamp.NONE, false), BytePath.ofArgument("/tmp/a b"), "touch"));
        LocalTime local = LocalTime.ofInstant(TIME, ZoneId.systemDefault());
        assertEquals(String.format("%02d:%02d:%02d.042000 touch(12): CWO+ /x%n", local.getHour(), local.getMinute(),
                local.getSecond()), line(new EventFormat(Timestamp.TIME_OF_DAY, false), BytePath.ofArgument("/x"), "touch"));
        assertEquals("1700000000.042000 touch(12): CWO+ /x\n",
                line(new EventFormat(Timestamp.EPOCH, false), BytePath.ofArgument("/x"), "touch"));
    }

    @Test
    void hostileNamesCannotForgeLines() {
        String comm = ByteText.human("x\ny".getBytes(StandardCharsets.UTF_8)); // as ProcessNames gives it
        String text = line(new EventFormat(Timestamp.NONE, false), BytePath.ofArgument("/t/a\nfake(1): W /etc/passwd\t\u0001\\"), comm);
        assertEquals("x\\x0ay(12): CWO+ /t/a\\x0afake(1): W /etc/passwd\\x09\\x01\\\\\n", text);
        byte[] path = {'/', 't', '/', '"', 'q', '"', '\n', 0x7f, (byte) 0xc3, (byte) 0xa9, (byte) 0xff};
        String json = line(new EventFormat(Timestamp.EPOCH, true), BytePath.of(path), "sh");
        assertEquals("{\"timestamp\":1700000000.042000,\"comm\":\"sh\",\"pid\":12,\"types\":\"CWO+\","
                + "\"path\":\"/t/\\\"q\\\"\\\\x0a\\\\x7f\u00e9\\\\xff\",\"path_base64\":\""
                + Base64.getEncoder().encodeToString(path) + "\"}\n", json);
    }

    private static String line(EventFormat format, BytePath path, String comm) {
        StringBuilder out = new StringBuilder();
        FileEvent event = new FileEvent(FileEvent.CREATE | FileEvent.OPEN | FileEvent.MODIFY | FileEvent.CLOSE_WRITE,
                12, path, comm);
        format.append(out, event, comm, TIME);
        return out.toString();
    }
}
