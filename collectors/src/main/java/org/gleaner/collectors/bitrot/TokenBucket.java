package org.gleaner.collectors.bitrot;

/**
 * A rate limit: {@link #take} sleeps as long as it takes for the given amount to fit the rate,
 * allowing bursts of one second's worth. A rate of 0 means no limit.
 */
final class TokenBucket {
    private final double perSecond;
    private double tokens;
    private long lastNanos;

    TokenBucket(double perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.lastNanos = System.nanoTime();
    }

    void take(long amount) throws InterruptedException {
        if (perSecond <= 0) {
            return;
        }
        long now = System.nanoTime();
        tokens = Math.min(perSecond, tokens + (now - lastNanos) / 1e9 * perSecond) - amount;
        lastNanos = now;
        if (tokens < 0) {
            long sleepNanos = (long) (-tokens / perSecond * 1e9);
            Thread.sleep(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000));
        }
    }
}
