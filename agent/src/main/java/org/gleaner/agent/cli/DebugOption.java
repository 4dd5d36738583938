package org.gleaner.agent.cli;

import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/** {@code --debug}, the same in every tool: more detail on stderr, and a stack trace with an error. */
public final class DebugOption {
    private static final String DESCRIPTION = "Say more on stderr about what it does; a stack trace with an error.";

    private boolean enabled;

    private void enable(boolean on) {
        enabled = on;
        if (on) {
            System.setProperty("gleaner.debug", "true");
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /** The option for a command declared through picocli's programmatic model, bound to this object. */
    OptionSpec option() {
        Binding binding = new Binding();
        return OptionSpec.builder("--debug").type(boolean.class).description(DESCRIPTION).getter(binding).setter(binding).build();
    }

    private final class Binding implements IGetter, ISetter {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) Boolean.valueOf(enabled);
        }

        @Override
        public <T> T set(T value) {
            boolean previous = enabled;
            enable(Boolean.TRUE.equals(value));
            @SuppressWarnings("unchecked")
            T old = (T) Boolean.valueOf(previous);
            return old;
        }
    }
}
