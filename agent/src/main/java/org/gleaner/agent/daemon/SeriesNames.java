package org.gleaner.agent.daemon;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One collector's Graphite names by raw path, kept from run to run: a collector reports the same
 * paths every cycle, mostly with the very same component strings, so looking a path up is much
 * cheaper than escaping and joining it again, and the name's own hash is computed only once for
 * the counter rates keyed by it. Paths a complete run no longer reports are forgotten, so memory
 * stays bounded by what currently exists.
 */
final class SeriesNames {
    private static final class Key {
        private final String[] path;
        private final int hash;

        Key(String[] path) {
            this.path = path;
            this.hash = Arrays.hashCode(path);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.hash == hash && Arrays.equals(key.path, path);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Entry {
        final String name;
        long run;

        Entry(String name) {
            this.name = name;
        }
    }

    private final String base;
    private final Map<Key, Entry> names = new HashMap<>();
    private long run;

    /** @param base the escaped prefix every name starts with (prefix and collector name) */
    SeriesNames(String base) {
        this.base = base;
    }

    void beginRun() {
        run++;
    }

    /** {@link MetricNames#join} of the base and {@code path}. */
    String name(String[] path) {
        Key key = new Key(path);
        Entry entry = names.get(key);
        if (entry == null) {
            entry = new Entry(MetricNames.join(base, path));
            names.put(key, entry);
        }
        entry.run = run;
        return entry.name;
    }

    void forgetUnseen() {
        names.values().removeIf(entry -> entry.run != run);
    }

    int size() {
        return names.size();
    }
}
