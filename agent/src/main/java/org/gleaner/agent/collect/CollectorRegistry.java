package org.gleaner.agent.collect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Every collector the agent knows, by name: the built-in factories below (one line each), then any
 * {@link CollectorFactory} that other jars on the class path declare in
 * META-INF/services/org.gleaner.agent.collect.CollectorFactory.
 */
public final class CollectorRegistry {
    private static final CollectorFactory[] BUILT_IN = {
        new SystemCollectorFactory(),
        new MemoryCollectorFactory(),
        new SyscallIoCollectorFactory(),
        new CgroupCollectorFactory(),
        new FanotifyCollectorFactory(),
        new ScrubberCollectorFactory(),
        new ConntrackCollectorFactory(),
    };

    private CollectorRegistry() {}

    /** In registration order; a name must be a single metric-name level ([a-z0-9_-]) and unique. */
    public static Map<String, CollectorFactory> byName() {
        Map<String, CollectorFactory> factories = new LinkedHashMap<>();
        for (CollectorFactory factory : BUILT_IN) {
            add(factories, factory);
        }
        for (CollectorFactory factory : ServiceLoader.load(CollectorFactory.class)) {
            add(factories, factory);
        }
        return factories;
    }

    private static void add(Map<String, CollectorFactory> factories, CollectorFactory factory) {
        String name = factory.name();
        if (!name.matches("[a-z0-9_-]+") || name.equals("gleaner")) {
            throw new IllegalStateException("collector " + factory.getClass().getName() + " has an invalid name: " + name);
        }
        if (factories.putIfAbsent(name, factory) != null) {
            throw new IllegalStateException("two collectors are named " + name);
        }
    }
}
