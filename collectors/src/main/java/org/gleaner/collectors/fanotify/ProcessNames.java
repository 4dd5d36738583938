package org.gleaner.collectors.fanotify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Process names (/proc/PID/comm) for events, read once per pid per batch of events.
 *
 * <p>A name is only trusted for the batch it was read in: a pid keeps its number across execve(2)
 * (a shell child opening a redirect is "bash", then "cat") and numbers are reused after exit, so a
 * longer-lived cache would misname processes. When a process has already exited by the time its
 * event is read, the last name seen for that pid is used, as fatrace does (right unless the pid was
 * reused and freed again in between).
 */
public final class ProcessNames {
    public static final String UNKNOWN = "unknown";
    private static final int REMEMBERED_EXITED = 4096;

    private final Map<Integer, String> batch = new HashMap<>();
    private final Map<Integer, String> lastSeen = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
            return size() > REMEMBERED_EXITED;
        }
    };
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64);

    /** Forgets the names read for the previous batch: the next lookups read /proc again. */
    public void newBatch() {
        batch.clear();
    }

    /** The command name of {@code pid}, or {@value #UNKNOWN}. */
    public String comm(int pid) {
        if (pid <= 0) {
            return UNKNOWN;
        }
        String cached = batch.get(pid);
        if (cached != null) {
            return cached;
        }
        String name = read(pid);
        if (name == null) {
            name = lastSeen.getOrDefault(pid, UNKNOWN);
        } else {
            lastSeen.put(pid, name);
        }
        batch.put(pid, name);
        return name;
    }

    private String read(int pid) {
        readBuffer.clear();
        try (FileChannel comm = FileChannel.open(Path.of("/proc", Integer.toString(pid), "comm"))) {
            while (readBuffer.hasRemaining() && comm.read(readBuffer) > 0) {
                // comm is at most 16 bytes; loop only for a short read
            }
        } catch (IOException e) {
            return null;
        }
        int length = readBuffer.position();
        while (length > 0 && readBuffer.get(length - 1) == '\n') {
            length--;
        }
        return length == 0 ? null : new String(readBuffer.array(), 0, length, StandardCharsets.UTF_8);
    }
}
