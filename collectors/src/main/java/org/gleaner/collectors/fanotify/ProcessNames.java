package org.gleaner.collectors.fanotify;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gleaner.collectors.jna.DirectLibC;
import org.gleaner.collectors.text.ByteText;

/**
 * Process names (/proc/PID/comm) for events, read once per pid per batch of events, in their
 * {@link ByteText#human human form}: a comm is bytes, and may be any but NUL and newline.
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
    private static final int COMM_BYTES = 64;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final byte[] PROC = "/proc/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMM = "/comm".getBytes(StandardCharsets.US_ASCII);

    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(COMM_BYTES);
    private final byte[] nameBytes = new byte[COMM_BYTES];
    private final byte[] pathBytes = new byte[32];

    public ProcessNames() {
        System.arraycopy(PROC, 0, pathBytes, 0, PROC.length);
    }

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
        int length = 0;
        try {
            int fd = DirectLibC.open(commPath(pid), O_RDONLY_CLOEXEC);
            try {
                // comm is at most 16 bytes and a newline: procfs returns it in one read
                length = (int) DirectLibC.read(fd, readBuffer, COMM_BYTES);
            } finally {
                DirectLibC.close(fd);
            }
        } catch (LastErrorException e) {
            return null; // ENOENT/ESRCH: the process is gone
        }
        while (length > 0 && readBuffer.get(length - 1) == '\n') {
            length--;
        }
        if (length == 0) {
            return null;
        }
        readBuffer.get(0, nameBytes, 0, length);
        return ByteText.human(nameBytes, 0, length);
    }

    /** "/proc/PID/comm" NUL-terminated, in a reused buffer. */
    private byte[] commPath(int pid) {
        int at = PROC.length;
        String digits = Integer.toString(pid);
        for (int i = 0; i < digits.length(); i++) {
            pathBytes[at++] = (byte) digits.charAt(i);
        }
        for (byte b : COMM) {
            pathBytes[at++] = b;
        }
        pathBytes[at] = 0;
        return pathBytes;
    }
}
