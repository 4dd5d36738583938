package org.gleaner.agent.pipeline;

import java.nio.file.Path;

/** Where the on-disk spool lives and how large it may grow before the oldest data is dropped. */
public record SpoolSettings(Path dir, long maxBytes) {}
