package org.gleaner.agent.filewatch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command name ({@code /proc/PID/comm}) of the process that caused an event, read when the event
 * arrives and cached per pid for a short while: a build touches many files from one pid, but a pid can
 * exec another program (a shell becoming make) or be reused. When the process already exited, the
 * last name seen for its pid is used; a pid never seen gives null.
 */
public final class ProcessNames {

    private static final int MAX_CACHED = 4096;

    private record Cached(String name, long readNanos) {}

    private final Path proc;
    private final long freshNanos;
    private final Map<Integer, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Cached> eldest) {
            return size() > MAX_CACHED;
        }
    };

    public ProcessNames() {
        this(Path.of("/proc"), 200);
    }

    ProcessNames(Path proc, long freshMillis) {
        this.proc = proc;
        this.freshNanos = TimeUnit.MILLISECONDS.toNanos(freshMillis);
    }

    /** The name of {@code pid}, or null when it is unknown (0, or gone before it was ever read). */
    public synchronized String nameOf(int pid) {
        if (pid <= 0) {
            return null;
        }
        long now = System.nanoTime();
        Cached cached = cache.get(pid);
        if (cached != null && now - cached.readNanos < freshNanos) {
            return cached.name;
        }
        try {
            byte[] comm = Files.readAllBytes(proc.resolve(Integer.toString(pid)).resolve("comm"));
            int length = comm.length > 0 && comm[comm.length - 1] == '\n' ? comm.length - 1 : comm.length;
            String name = new String(comm, 0, length, StandardCharsets.UTF_8);
            cache.put(pid, new Cached(name, now));
            return name;
        } catch (IOException gone) {
            return cached == null ? null : cached.name;
        }
    }
}
