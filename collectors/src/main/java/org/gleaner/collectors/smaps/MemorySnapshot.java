package org.gleaner.collectors.smaps;

import java.util.List;

/**
 * What one scan of /proc found.
 *
 * @param processes  every process read, in pid order
 * @param denied     processes whose files this user may not read (another user's, without root)
 * @param vanished   processes that exited while being read (skipped whole)
 * @param overBudget processes not read, or abandoned, because a time budget ran out
 */
public record MemorySnapshot(SmapsSource source, List<ProcessMemory> processes, int denied, int vanished,
                             int overBudget) {}
