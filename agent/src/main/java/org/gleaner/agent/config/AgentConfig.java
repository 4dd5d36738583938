package org.gleaner.agent.config;

import java.time.Duration;
import org.gleaner.agent.pipeline.CarbonTarget;
import org.gleaner.agent.pipeline.SpoolSettings;

/**
 * The agent's settings after the config file and the command line. {@code carbon} has no
 * destinations when none is configured: datapoints then go to stdout. {@code collectors} is the
 * still-unread {@code collectors:} section, checked against the known collectors when they are built.
 */
public record AgentConfig(
        Duration interval,
        String hostname,
        String prefix,
        CarbonTarget carbon,
        SpoolSettings spool,
        CounterMode counters,
        YamlSection collectors) {

    public enum CounterMode { RATE, RAW }

    public AgentConfig withInterval(Duration newInterval) {
        return new AgentConfig(newInterval, hostname, prefix, carbon, spool, counters, collectors);
    }

    public AgentConfig withCarbon(CarbonTarget newCarbon) {
        return new AgentConfig(interval, hostname, prefix, newCarbon, spool, counters, collectors);
    }
}
