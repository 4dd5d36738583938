package org.gleaner.agent.cli;

import sun.misc.Signal;

/**
 * SIGTERM (systemd's stop) and SIGINT (Ctrl-C) ask the agent to stop: it finishes the current
 * cycle, drains what it can, and exits 0 — a JVM shutdown hook alone would exit 143.
 */
final class StopSignals {
    private StopSignals() {}

    static void install(Runnable stop) {
        Signal.handle(new Signal("TERM"), signal -> stop.run());
        Signal.handle(new Signal("INT"), signal -> stop.run());
    }
}
