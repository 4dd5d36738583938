package org.gleaner.agent.collect;

import java.time.Duration;
import org.gleaner.collectors.Collector;

/** Builds one kind of collector from its section of the config ({@code collectors: {NAME: {...}}}). */
public interface CollectorFactory {

    /** The collector's name in the config and in metric names ({@code {prefix}.NAME.…}). */
    String name();

    /** Whether it runs when the config does not mention it. */
    boolean enabledByDefault();

    /**
     * How often it runs when its {@code interval} option is not set: every cycle of the agent's
     * {@code agentInterval}, unless reading costs so much that a longer default pays.
     */
    default Duration defaultInterval(Duration agentInterval) {
        return agentInterval;
    }

    /**
     * Reads its options (an option it does not read is reported as an unknown key) and builds the
     * collector. {@code timeout} is the deadline the agent gives each run (the collector's
     * {@code timeout} option, or half the interval): a run that reaches it is abandoned, so a
     * collector with budgets of its own keeps them below it.
     */
    Collector create(CollectorOptions options, Duration timeout) throws Exception;
}
