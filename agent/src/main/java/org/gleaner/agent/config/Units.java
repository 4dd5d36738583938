package org.gleaner.agent.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the config's durations ("10s", "250ms", "1.5m") and byte sizes ("256MiB", "4096"). */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
    private static final Map<String, Long> MILLIS_PER_UNIT =
            Map.of("ms", 1L, "s", 1_000L, "m", 60_000L, "h", 3_600_000L, "d", 86_400_000L);
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB|kB|KB|MB|GB|TB)?");
    private static final Map<String, Long> BYTES_PER_UNIT = Map.of(
            "B", 1L, "KiB", 1L << 10, "MiB", 1L << 20, "GiB", 1L << 30, "TiB", 1L << 40,
            "kB", 1_000L, "KB", 1_000L, "MB", 1_000_000L, "GB", 1_000_000_000L, "TB", 1_000_000_000_000L);

    private Units() {}

    /** @throws IllegalArgumentException with a message fit to follow the key's name */
    public static Duration duration(String text) {
        Matcher matcher = DURATION.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 10s, 500ms, 2m, 1h)");
        }
        BigDecimal millis = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(MILLIS_PER_UNIT.get(matcher.group(2))));
        try {
            return Duration.ofMillis(millis.setScale(0, RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException tooLarge) {
            throw new IllegalArgumentException("duration too large: '" + text + "'");
        }
    }

    /** @throws IllegalArgumentException with a message fit to follow the key's name */
    public static long bytes(String text) {
        Matcher matcher = BYTES.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a byte size: '" + text + "' (write e.g. 256MiB, 1GiB, 4096)");
        }
        long unit = matcher.group(2) == null ? 1 : BYTES_PER_UNIT.get(matcher.group(2));
        try {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException tooLarge) {
            throw new IllegalArgumentException("byte size too large: '" + text + "'");
        }
    }

    /**
     * A read rate in bytes per second: a byte size with an optional "/s" ("50MiB/s"), more than 0.
     *
     * @throws IllegalArgumentException with a message fit to follow the key's name
     */
    public static long bytesPerSecond(String text) {
        String trimmed = text.trim();
        long value = bytes(trimmed.endsWith("/s") ? trimmed.substring(0, trimmed.length() - 2) : trimmed);
        if (value <= 0) {
            throw new IllegalArgumentException("must be more than 0 bytes per second");
        }
        return value;
    }
}
