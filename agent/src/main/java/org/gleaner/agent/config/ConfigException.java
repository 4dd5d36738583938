package org.gleaner.agent.config;

/** A config error, already phrased as one line naming the file, line and key ("FILE:LINE: KEY: problem"). */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
