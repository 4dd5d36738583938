package org.gleaner.agent.cli;

import sun.misc.Signal;

/**
 * SIGTERM (systemd's stop) and SIGINT (Ctrl-C) ask the agent to stop: it finishes the current
 * cycle, drains what it can, and exits 0 — a JVM shutdown hook alone would exit 143. SIGHUP
 * (systemd's reload, as the unit's ExecReload sends it) asks it to reload its config; without a
 * handler the JVM would exit 129.
 */
final class AgentSignals {
    private AgentSignals() {}

    static void install(Runnable stop, Runnable reload) {
        Signal.handle(new Signal("TERM"), signal -> stop.run());
        Signal.handle(new Signal("INT"), signal -> stop.run());
        Signal.handle(new Signal("HUP"), signal -> reload.run());
    }
}
