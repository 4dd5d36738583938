package org.gleaner.agent.pipeline;

import com.codahale.metrics.Counter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every plaintext line ({@code name value timestamp\n}) within {@code maxLineBytes}: carbon-cache
 * drops a connection on a line over 16 KiB and carbon-c-relay over 32 KiB, losing the lines queued
 * behind it. An over-long name keeps its beginning (the host prefix, which relays hash on) and ends
 * with {@code .~} and 16 hex digits of the SHA-256 of the whole name: the same name always shortens
 * the same way, and two names shorten alike only if their digests collide. Shortened names are
 * counted and logged once.
 */
final class LineCap {
    private static final Logger LOG = LoggerFactory.getLogger(LineCap.class);
    /** ".~" and 16 hex digits. */
    private static final int SUFFIX_BYTES = 18;
    /** The longest value ({@link CarbonConnection#formatValue}) and timestamp, two spaces and the newline. */
    private static final int VALUE_AND_TIMESTAMP_BYTES = 25 + 20 + 3;
    static final int MIN_LINE_BYTES = 128;

    private final int maxNameBytes;
    private final Counter shortened;
    private boolean logged;

    LineCap(int maxLineBytes, Counter shortened) {
        if (maxLineBytes < MIN_LINE_BYTES) {
            throw new IllegalArgumentException("the line cap must be at least " + MIN_LINE_BYTES + " bytes");
        }
        this.maxNameBytes = maxLineBytes - VALUE_AND_TIMESTAMP_BYTES;
        this.shortened = shortened;
    }

    List<Datapoint> apply(List<Datapoint> cycle) {
        List<Datapoint> result = null;
        for (int i = 0; i < cycle.size(); i++) {
            Datapoint datapoint = cycle.get(i);
            String path = datapoint.path();
            // UTF-8 needs at most 3 bytes per char: shorter strings cannot be over the cap
            if (path.length() * 3 > maxNameBytes && path.getBytes(StandardCharsets.UTF_8).length > maxNameBytes) {
                if (result == null) {
                    result = new ArrayList<>(cycle.subList(0, i));
                }
                result.add(new Datapoint(shorten(path), datapoint.value(), datapoint.epochSeconds()));
            } else if (result != null) {
                result.add(datapoint);
            }
        }
        return result == null ? cycle : result;
    }

    private String shorten(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        String digest = HexFormat.of().formatHex(sha256(bytes), 0, 8);
        int keep = maxNameBytes - SUFFIX_BYTES;
        // cut on a character boundary: never in the middle of a UTF-8 sequence
        while (keep > 0 && (bytes[keep] & 0xC0) == 0x80) {
            keep--;
        }
        String shortenedPath = new String(bytes, 0, keep, StandardCharsets.UTF_8) + ".~" + digest;
        shortened.inc();
        if (!logged) {
            logged = true;
            LOG.warn("a metric name of {} bytes is over the line cap; sending it as {}… (counted in pipeline.shortened_names, logged once)",
                    bytes.length, shortenedPath.substring(0, Math.min(80, shortenedPath.length())));
        }
        return shortenedPath;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
