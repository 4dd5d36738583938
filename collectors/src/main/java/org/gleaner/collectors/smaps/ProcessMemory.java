package org.gleaner.collectors.smaps;

import java.util.List;

/**
 * One process as read from /proc/PID.
 *
 * @param command   what it is grouped by: the basename of its executable, or its comm when that
 *                  cannot be read (another user's process, or an executable that is gone)
 * @param exe       the executable's path, or null if unreadable
 * @param startTime clock ticks after boot (field 22 of stat): with the pid, identifies the process
 * @param mappings  one entry per file or pseudo-name, in address order; a single {@code [rollup]}
 *                  entry when read from smaps_rollup
 */
public record ProcessMemory(int pid, long startTime, String command, String comm, String exe,
                            List<String> cmdline, List<MappingMemory> mappings, MemoryUsage usage) {}
