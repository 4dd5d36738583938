package org.gleaner.agent.daemon;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the most recent distinct error messages so that an error repeated every cycle is logged
 * once, not every ten seconds. Bounded: the least recently seen message is forgotten first.
 */
final class DistinctErrors {
    private static final int REMEMBERED = 64;

    private final Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** True the first time {@code message} is seen (or after it was forgotten). */
    synchronized boolean isNew(String message) {
        return seen.put(message, Boolean.TRUE) == null;
    }

    static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName()
                : error.getClass().getSimpleName() + ": " + message;
    }
}
