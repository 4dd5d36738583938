package org.gleaner.agent.cli;

import picocli.CommandLine.Option;

/** {@code --debug}, the same in every tool: more detail on stderr, and a stack trace with an error. */
public final class DebugOption {
    private boolean enabled;

    @Option(names = "--debug", description = "Say more on stderr about what it does; a stack trace with an error.")
    void enable(boolean on) {
        enabled = on;
        if (on) {
            System.setProperty("gleaner.debug", "true");
        }
    }

    public boolean enabled() {
        return enabled;
    }
}
