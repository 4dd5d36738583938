package org.gleaner.agent.pipeline;

import com.codahale.metrics.Counter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that drains the spool to carbon, in order, with the original timestamps.
 *
 * <p>A batch is written and flushed; it is acknowledged in the spool only once a later check,
 * {@link #CONFIRM_DELAY} after the flush, finds the connection still open (carbon has no
 * application-level acknowledgement; this closes the window in which carbon stopped reading and
 * then closed the socket with our flushed bytes unread). Any failure — no destination reachable,
 * the peer closed, a write error — rewinds the spool to the acknowledged position, so everything
 * unconfirmed is sent again (at-least-once; carbon overwrites a timestamp with the same value).
 * Destinations are tried in their configured order; after {@link #FAILBACK_AFTER} on a later one,
 * the connection is re-made from the first. Retries back off exponentially with jitter. A write
 * blocked longer than the write timeout (a carbon that accepts but no longer reads) is aborted by
 * {@link #abortIfStuck()}, and the next connection tries that destination last.
 */
final class CarbonSender implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CarbonSender.class);

    static final long CONFIRM_DELAY_NANOS = Duration.ofSeconds(1).toNanos();
    private static final Duration FAILBACK_AFTER = Duration.ofMinutes(5);
    private static final long BACKOFF_INITIAL_MILLIS = 250;
    private static final long BACKOFF_MAX_MILLIS = 10_000;
    private static final long IDLE_WAIT_MILLIS = 1_000;
    private static final long ABORT_GRACE_MILLIS = 500;
    private static final int BATCH_BYTES = 1 << 20;

    /** The counters this thread updates. */
    record Counters(Counter datapointsSent, Counter sendFailures, Counter reconnects, Counter failovers) {}

    private record Flushed(long atNanos, Spool.Position end) {}

    private final Spool spool;
    private final CarbonTarget target;
    private final Counters counters;
    private final ArrayDeque<Flushed> unconfirmed = new ArrayDeque<>();
    private final Object pause = new Object();
    private final Thread thread;
    private final long writeTimeoutNanos;
    private volatile CarbonConnection connection;
    private volatile long writingSinceNanos;
    private volatile CarbonTarget.Destination stuckDestination;
    private volatile boolean stopping;
    private volatile long drainDeadlineNanos;
    private long connectedAtNanos;
    private boolean everConnected;
    private int failureStreak;

    CarbonSender(Spool spool, CarbonTarget target, Counters counters, Duration writeTimeout) {
        this.spool = spool;
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.target = target;
        this.counters = counters;
        this.thread = new Thread(this, "gleaner-carbon-sender");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Lets the thread deliver what it can within {@code drainLimit}, then stops it; a write still
     * blocked then is aborted by closing its socket. Whatever is unconfirmed stays in the spool.
     */
    void stop(Duration drainLimit) {
        drainDeadlineNanos = System.nanoTime() + drainLimit.toNanos();
        stopping = true;
        wake();
        try {
            thread.join(Math.max(1, drainLimit.toMillis()));
            if (thread.isAlive()) {
                CarbonConnection current = connection;
                if (current != null) {
                    current.abort();
                }
                wake();
                thread.join(ABORT_GRACE_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("carbon sender did not stop within {} ms of its drain limit", ABORT_GRACE_MILLIS);
        }
    }

    @Override
    public void run() {
        try {
            while (!(stopping && System.nanoTime() - drainDeadlineNanos >= 0)) {
                try {
                    if (!step()) {
                        break;
                    }
                } catch (RuntimeException e) {
                    LOG.error("carbon sender failed unexpectedly; retrying", e);
                    disconnect();
                    spool.rewind();
                    unconfirmed.clear();
                    pause(backoffMillis(++failureStreak));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            disconnect();
        }
    }

    /** One batch, one confirmation or one wait; false when a stop has nothing left to do. */
    private boolean step() throws InterruptedException {
        Spool.Batch batch;
        try {
            batch = spool.read(BATCH_BYTES);
        } catch (IOException e) {
            LOG.error("cannot read the spool: {}", e.toString());
            pause(backoffMillis(++failureStreak));
            return true;
        }
        if (batch.isEmpty()) {
            return idle();
        }
        CarbonConnection current = connected();
        if (current == null) {
            failed("no carbon destination reachable", null);
            return true;
        }
        long probedAt = System.nanoTime();
        if (!current.peerOpen()) {
            failed("carbon at " + current.destination() + " closed the connection", null);
            return true;
        }
        confirm(probedAt);
        writingSinceNanos = System.nanoTime();
        try {
            current.send(batch.datapoints());
        } catch (IOException e) {
            failed("sending to carbon at " + current.destination() + " failed", e);
            return true;
        } finally {
            writingSinceNanos = 0;
        }
        counters.datapointsSent().inc(batch.datapoints().size());
        if (target.protocol() == CarbonTarget.Protocol.UDP) {
            acknowledge(batch.end());
        } else {
            unconfirmed.addLast(new Flushed(System.nanoTime(), batch.end()));
        }
        return true;
    }

    /** Nothing unread: confirm what is due, fail back if it is time, or wait for data. */
    private boolean idle() throws InterruptedException {
        if (unconfirmed.isEmpty()) {
            if (stopping) {
                return false;
            }
            failBackIfDue();
            spool.awaitData(waitMillis(IDLE_WAIT_MILLIS), () -> stopping);
            return true;
        }
        long dueInNanos = unconfirmed.peekFirst().atNanos() + CONFIRM_DELAY_NANOS - System.nanoTime();
        if (dueInNanos > 0) {
            spool.awaitData(waitMillis(dueInNanos / 1_000_000 + 1), () -> stopping);
            return true;
        }
        CarbonConnection current = connection;
        long probedAt = System.nanoTime();
        if (current != null && current.peerOpen()) {
            confirm(probedAt);
        } else {
            failed("carbon closed the connection before the last datapoints were confirmed", null);
        }
        return true;
    }

    /** Acknowledges every flush that the connection has outlived by the confirmation delay. */
    private void confirm(long probedAtNanos) {
        Spool.Position confirmed = null;
        while (!unconfirmed.isEmpty() && probedAtNanos - unconfirmed.peekFirst().atNanos() >= CONFIRM_DELAY_NANOS) {
            confirmed = unconfirmed.pollFirst().end();
        }
        if (confirmed != null) {
            acknowledge(confirmed);
        }
    }

    private void acknowledge(Spool.Position position) {
        try {
            spool.acknowledge(position);
        } catch (IOException e) {
            // delivered, but the spool could not record it: it will be sent again, which is harmless
            LOG.error("cannot record the spool's acknowledged position: {}", e.toString());
        }
        CarbonConnection current = connection;
        if (failureStreak > 0 && current != null) {
            LOG.info("delivering to carbon at {} again after {} failed attempt(s)", current.destination(), failureStreak);
            failureStreak = 0;
        }
    }

    /**
     * Called from the daemon's thread at each submit: closes the socket under a write that has been
     * blocked for longer than the write timeout, which makes that write fail and the sender move on.
     */
    void abortIfStuck() {
        long since = writingSinceNanos;
        CarbonConnection current = connection;
        if (since != 0 && current != null && System.nanoTime() - since > writeTimeoutNanos) {
            LOG.warn("carbon at {} has not taken a write for {} s: dropping that connection", current.destination(),
                    writeTimeoutNanos / 1_000_000_000);
            stuckDestination = current.destination();
            current.abort();
        }
    }

    /**
     * The current connection, or a new one to the first destination that accepts (one that was
     * just found stuck is tried last); null when none does.
     */
    private CarbonConnection connected() {
        if (connection != null) {
            return connection;
        }
        List<CarbonTarget.Destination> destinations = new ArrayList<>(target.destinations());
        CarbonTarget.Destination stuck = stuckDestination;
        stuckDestination = null;
        if (stuck != null && destinations.remove(stuck)) {
            destinations.add(stuck);
        }
        for (int index = 0; index < destinations.size(); index++) {
            CarbonTarget.Destination destination = destinations.get(index);
            try {
                connection = CarbonConnection.open(destination, target.protocol());
            } catch (IOException | RuntimeException e) {
                if (failureStreak == 0) {
                    LOG.warn("cannot connect to carbon at {}: {}", destination, e.toString());
                }
                continue;
            }
            connectedAtNanos = System.nanoTime();
            if (everConnected) {
                counters.reconnects().inc();
            }
            everConnected = true;
            if (!destination.equals(target.destinations().get(0))) {
                counters.failovers().inc();
                LOG.warn("delivering to carbon at {} (failover from {})", destination, target.destinations().get(0));
            }
            return connection;
        }
        return null;
    }

    private void failBackIfDue() {
        CarbonConnection current = connection;
        if (current != null && !current.destination().equals(target.destinations().get(0))
                && System.nanoTime() - connectedAtNanos > FAILBACK_AFTER.toNanos()) {
            LOG.info("trying the first carbon destination again after {} on {}", FAILBACK_AFTER, current.destination());
            disconnect();
        }
    }

    private void failed(String what, IOException cause) throws InterruptedException {
        counters.sendFailures().inc();
        if (failureStreak == 0) {
            LOG.warn("{}{}; datapoints stay in the spool and will be resent", what, cause == null ? "" : ": " + cause);
        }
        disconnect();
        spool.rewind();
        unconfirmed.clear();
        pause(backoffMillis(++failureStreak));
    }

    /** No wait for the first retry (a peer that closed an idle connection), then exponential with ±20% jitter. */
    private static long backoffMillis(int streak) {
        if (streak <= 1) {
            return 0;
        }
        long base = Math.min(BACKOFF_MAX_MILLIS, BACKOFF_INITIAL_MILLIS << Math.min(streak - 2, 20));
        return (long) (base * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
    }

    private void disconnect() {
        CarbonConnection current = connection;
        connection = null;
        if (current != null) {
            current.close();
        }
    }

    private long waitMillis(long wanted) {
        if (!stopping) {
            return wanted;
        }
        long left = (drainDeadlineNanos - System.nanoTime()) / 1_000_000;
        return Math.max(0, Math.min(wanted, left));
    }

    private void pause(long millis) throws InterruptedException {
        synchronized (pause) {
            long wait = waitMillis(millis);
            if (wait > 0) {
                pause.wait(wait);
            }
        }
    }

    private void wake() {
        synchronized (pause) {
            pause.notifyAll();
        }
        spool.wakeUp();
    }
}
