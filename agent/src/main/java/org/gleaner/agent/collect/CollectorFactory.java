package org.gleaner.agent.collect;

import org.gleaner.collectors.Collector;

/** Builds one kind of collector from its section of the config ({@code collectors: {NAME: {...}}}). */
public interface CollectorFactory {

    /** The collector's name in the config and in metric names ({@code {prefix}.NAME.…}). */
    String name();

    /** Whether it runs when the config does not mention it. */
    boolean enabledByDefault();

    /** Reads its options (an option it does not read is reported as an unknown key) and builds the collector. */
    Collector create(CollectorOptions options) throws Exception;
}
