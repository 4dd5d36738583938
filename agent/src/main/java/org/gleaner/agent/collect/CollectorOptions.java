package org.gleaner.agent.collect;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Typed access to one collector's config section. A missing key gives the default; a value of the
 * wrong type fails with the file, line and key. Keys never read by the factory are reported as unknown.
 */
public interface CollectorOptions {

    String string(String key, String defaultValue);

    long integer(String key, long defaultValue);

    boolean bool(String key, boolean defaultValue);

    /** "10s", "250ms", "2m"... */
    Duration duration(String key, Duration defaultValue);

    /** A byte size: a number, or "64MiB", "512KiB"... */
    long bytes(String key, long defaultValue);

    List<String> strings(String key, List<String> defaultValue);

    /** A mapping of names to strings ({@code {office: 192.0.2.0/24}}), in file order. */
    Map<String, String> stringMap(String key, Map<String, String> defaultValue);
}
