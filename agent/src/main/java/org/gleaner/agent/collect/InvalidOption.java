package org.gleaner.agent.collect;

import org.gleaner.agent.config.YamlSection;

/** A collector option with a value its factory rejects, reported like any other config error. */
final class InvalidOption {
    private InvalidOption() {}

    /** Names the file, line and full key when the options come from the config file (they always do in the agent). */
    static RuntimeException of(CollectorOptions options, String key, String problem) {
        return options instanceof YamlSection section ? section.error(key, problem) : new IllegalArgumentException(key + ": " + problem);
    }
}
