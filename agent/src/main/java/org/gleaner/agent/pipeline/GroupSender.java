package org.gleaner.agent.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that delivers one destination group's copy of the spool, through that group's own
 * {@link Spool.Cursor}, with the original timestamps.
 *
 * <p><b>Acknowledgement.</b> A datapoint counts as delivered once the peer's TCP has acknowledged
 * every byte of it ({@link CarbonConnection#acknowledged()}); only then does the cursor's durable
 * position move past its record. Bytes written {@code ackTimeout} ago and still unacknowledged (a
 * peer that accepts but does not read, or reads too slowly) fail the destination over; whatever was
 * not acknowledged is sent again to the next one (at-least-once).
 *
 * <p><b>Confirmation window.</b> A peer's kernel acknowledges bytes its process may never read: a
 * carbon-cache or carbon-c-relay shutting down stops reading its clients, then closes their sockets
 * with data unread (the close sends a reset). So an acknowledged record is delivered only after
 * {@link #CONFIRM_WINDOW} in which the connection showed no end-of-stream or error; if it breaks
 * within the window, everything acknowledged in it is sent again. At a stop the window is not waited
 * out: once everything is acknowledged the sender ends its side of the stream, and the peer closing
 * its side in turn shows that its process read everything ({@link CarbonConnection#finish}).
 *
 * <p><b>Live first.</b> After a (re)connection, what the spool already held for this group is the
 * backlog: it is sent behind the live data, at {@code replayRate} lines per second, after a random
 * start delay. Live data (appended since) goes out at once. The cursor's durable position follows
 * the backlog; live data acknowledged meanwhile is remembered and only resent after a restart.
 *
 * <p><b>Destinations.</b> {@code FAILOVER}: the first member that accepts, in order; after
 * {@link #FAILBACK_AFTER} on a later one the first is tried again. {@code LOADBALANCE}: a random
 * member, kept until its connection lifetime (±20%) expires or it fails. On such a planned change the
 * old connection takes nothing more but stays open until what it acknowledged has passed the
 * confirmation window (if it breaks before, that is sent again); live data goes to the new one
 * meanwhile. A member that failed in the last {@link #SUSPECT_FOR} is tried after the others. Reconnects back off exponentially with full jitter, up to {@code backoffMax}.
 */
final class GroupSender implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSender.class);

    static final Duration FAILBACK_AFTER = Duration.ofMinutes(5);
    /** How long a member that failed is tried after the others. */
    static final Duration SUSPECT_FOR = Duration.ofMinutes(1);
    /**
     * How long after the peer's TCP acknowledged a record the connection must stay healthy for the
     * record to count as delivered. carbon-c-relay 3.7 on SIGTERM keeps reading for up to 1.5 s, then
     * stops reading its clients and closes them only once it has flushed its queues (relay.c: main's
     * shutdown sequence): about 1.2 s later with empty queues on an idle machine, more under load.
     */
    static final Duration CONFIRM_WINDOW = Duration.ofSeconds(5);
    private static final long BACKOFF_INITIAL_MILLIS = 250;
    private static final long IDLE_WAIT_MILLIS = 1_000;
    private static final long BUSY_WAIT_MILLIS = 50;
    private static final long ABORT_GRACE_MILLIS = 500;
    private static final int BATCH_BYTES = 1 << 20;
    private static final int MAX_LINES_PER_WRITE = 10_000;
    private static final String NOT_FINISHED = "the peer did not close its side of the connection in time at the stop";

    private record InFlight(long end, Spool.Position recordEnd, boolean backlog, int lines) {}

    private record Acknowledged(InFlight flight, long atNanos, CarbonConnection connection) {}

    /** A connection that ended while records it acknowledged were in the confirmation window. */
    private static final class PeerClosed extends IOException {
        private final CarbonTarget.Destination destination;

        PeerClosed(CarbonTarget.Destination destination, String message) {
            super(message);
            this.destination = destination;
        }
    }

    private final String name;
    private final Spool spool;
    private final Spool.Cursor cursor;
    private final CarbonTarget.Group group;
    private final CarbonTarget.Protocol protocol;
    private final CarbonTarget.Tuning tuning;
    private final long maxAgeSeconds;
    private final DeliveryMetrics.Group metrics;
    private final Thread thread;
    private final Object pause = new Object();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    /** Acknowledged by the peer's TCP, waiting out {@link #CONFIRM_WINDOW}. */
    private final ArrayDeque<Acknowledged> inWindow = new ArrayDeque<>();
    private final ArrayDeque<Datapoint> backlogLines = new ArrayDeque<>();

    private volatile CarbonConnection connection;
    /** The connection left by a planned change of member, open until what it acknowledged is confirmed. */
    private CarbonConnection retiring;
    private volatile boolean stopping;
    private volatile long drainDeadlineNanos;
    /** Whether the drain has had its immediate retry: a backoff under way when the drain begins is not waited out. */
    private boolean retriedForDrain;
    private boolean everConnected;
    private long connectedAtNanos;
    private long keepUntilNanos;
    /** Members that failed recently, with when: tried after the others, the longest-failed first. */
    private final Map<CarbonTarget.Destination, Long> failedAtNanos = new HashMap<>();
    private int failureStreak;

    private Spool.Position livePosition;
    private Spool.Position liveConfirmed;
    private boolean replaying;
    private Spool.Position backlogPosition;
    private Spool.Position backlogRecordEnd;
    private Spool.Position liveStart;
    private long backlogStartNanos;
    private double tokens;
    private long tokensAtNanos;

    GroupSender(String name, Spool spool, Spool.Cursor cursor, CarbonTarget.Group group, CarbonTarget.Protocol protocol,
            CarbonTarget.Tuning tuning, Duration maxAge, DeliveryMetrics.Group metrics) {
        this.name = name;
        this.spool = spool;
        this.cursor = cursor;
        this.group = group;
        this.protocol = protocol;
        this.tuning = tuning;
        this.maxAgeSeconds = maxAge.toSeconds();
        this.metrics = metrics;
        this.livePosition = cursor.acknowledgedPosition();
        this.thread = new Thread(this, "gleaner-carbon-" + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Lets the thread deliver what it can within {@code drainLimit}, then stops it; a write still
     * blocked then is aborted. Whatever is unacknowledged stays in the spool.
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
            LOG.warn("carbon sender {} did not stop within {} ms of its drain limit", name, ABORT_GRACE_MILLIS);
        }
    }

    @Override
    public void run() {
        try {
            while (!(stopping && (System.nanoTime() - drainDeadlineNanos >= 0 || drained()))) {
                try {
                    step();
                } catch (IOException e) {
                    failed(e.getMessage() == null ? e.toString() : e.getMessage(), e instanceof PeerClosed closed ? closed.destination : null);
                } catch (RuntimeException e) {
                    LOG.error("carbon sender {} failed unexpectedly; retrying", name, e);
                    failed(e.toString(), null);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            disconnect();
        }
    }

    private boolean drained() {
        return inFlight.isEmpty() && inWindow.isEmpty() && !spool.hasData(cursor.acknowledgedPosition(), null);
    }

    /** Connects if needed, confirms what the peer acknowledged, sends live data and a paced share of the backlog, then waits. */
    private void step() throws IOException, InterruptedException {
        if (connection == null && !connect()) {
            return;
        }
        confirm();
        connection.checkProgress();
        if (!connection.peerOpen()) {
            throw new IOException("the peer closed the connection");
        }
        if (stopping && allSentAndAcknowledged()) {
            finish();
            return;
        }
        if (!replaying && retiring == null && reconnectDue()) {
            // a planned rotation: nothing more goes to this member; it stays open until all it took is confirmed
            if (inFlight.isEmpty()) {
                retiring = connection;
                connection = null;
            } else {
                pause(BUSY_WAIT_MILLIS);
            }
            return;
        }
        boolean sentLive = sendLive();
        boolean backlogWaiting = replaying && sendBacklog();
        if (sentLive) {
            return;
        }
        long wait = !inFlight.isEmpty() || backlogWaiting ? BUSY_WAIT_MILLIS : IDLE_WAIT_MILLIS;
        spool.awaitDataAfter(livePosition, waitMillis(windowWaitMillis(wait)), () -> stopping);
    }

    private boolean allSentAndAcknowledged() {
        return inFlight.isEmpty() && !spool.hasData(livePosition, null) && (!replaying
                || backlogLines.isEmpty() && backlogRecordEnd == null && !spool.hasData(backlogPosition, liveStart));
    }

    /**
     * At a stop, once the peer's TCP has acknowledged everything: ends the stream and waits for the
     * peer to close its side, which confirms the whole window at once instead of waiting it out.
     */
    private void finish() throws IOException {
        long left = Math.max(0, (drainDeadlineNanos - System.nanoTime()) / 1_000_000);
        if (retiring != null && !retiring.finish(left)) {
            throw new PeerClosed(retiring.destination(), NOT_FINISHED);
        }
        if (!connection.finish(left)) {
            throw new IOException(NOT_FINISHED);
        }
        release(System.nanoTime());
    }

    /** {@code wanted}, or less when a record leaves the confirmation window sooner. */
    private long windowWaitMillis(long wanted) {
        if (inWindow.isEmpty()) {
            return wanted;
        }
        long windowLeft = (inWindow.peekFirst().atNanos() + CONFIRM_WINDOW.toNanos() - System.nanoTime()) / 1_000_000 + 1;
        return Math.max(1, Math.min(wanted, windowLeft));
    }

    // ---- connecting

    /** Connects to a member of the group; false (after a backoff pause) when none accepts. */
    private boolean connect() throws InterruptedException {
        List<CarbonTarget.Destination> order = new ArrayList<>(group.destinations());
        if (group.mode() == CarbonTarget.Mode.LOADBALANCE) {
            Collections.shuffle(order, ThreadLocalRandom.current());
        }
        long now = System.nanoTime();
        failedAtNanos.values().removeIf(at -> now - at > SUSPECT_FOR.toNanos());
        List<CarbonTarget.Destination> suspects = new ArrayList<>(failedAtNanos.keySet());
        suspects.sort(Comparator.comparing(failedAtNanos::get));
        order.removeAll(suspects);
        order.addAll(suspects);
        boolean memberFailed = failureStreak > 0;
        for (CarbonTarget.Destination destination : order) {
            try {
                connection = CarbonConnection.open(destination, protocol, tuning.ackTimeout());
            } catch (IOException | RuntimeException e) {
                metrics.destination(destination).failures().inc();
                failedAtNanos.put(destination, System.nanoTime());
                if (failureStreak == 0) {
                    LOG.warn("cannot connect to carbon at {}: {}", destination, e.toString());
                }
                memberFailed = true;
                continue;
            }
            connected(destination, memberFailed, failureStreak > 0 || !everConnected);
            return true;
        }
        failed("no destination accepts a connection", null);
        return false;
    }

    /** {@code recovering}: the first connection, or one after a failure (not a planned rotation). */
    private void connected(CarbonTarget.Destination destination, boolean memberFailed, boolean recovering) {
        connectedAtNanos = System.nanoTime();
        long lifetime = group.lifetime().toNanos();
        keepUntilNanos = connectedAtNanos + (long) (lifetime * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
        if (everConnected) {
            metrics.reconnects().inc(1);
        }
        everConnected = true;
        boolean failover = group.mode() == CarbonTarget.Mode.FAILOVER
                ? !destination.equals(group.destinations().get(0)) : memberFailed;
        if (failover) {
            metrics.failovers().inc(1);
            LOG.warn("delivering to carbon at {} (failover in {})", destination, name);
        }
        if (retiring != null) {
            // a planned rotation: the new member takes over where the old one left off
            return;
        }
        livePosition = cursor.acknowledgedPosition();
        liveConfirmed = null;
        if (recovering && spool.hasData(livePosition, null)) {
            startReplay();
        }
    }

    /** A loadbalance connection past its lifetime, or a failover connection that may fail back. */
    private boolean reconnectDue() {
        CarbonConnection current = connection;
        if (current == null) {
            return false;
        }
        long now = System.nanoTime();
        return group.mode() == CarbonTarget.Mode.LOADBALANCE ? now - keepUntilNanos > 0
                : !current.destination().equals(group.destinations().get(0)) && now - connectedAtNanos > FAILBACK_AFTER.toNanos();
    }

    // ---- sending

    /** Everything the spool held at connection time is backlog; what comes after is live. */
    private void startReplay() {
        replaying = true;
        backlogPosition = livePosition;
        liveStart = spool.end();
        livePosition = liveStart;
        backlogRecordEnd = null;
        long delay = tuning.replayStartDelay().toNanos();
        backlogStartNanos = System.nanoTime() + (delay > 0 ? ThreadLocalRandom.current().nextLong(delay) : 0);
        tokens = 0;
        tokensAtNanos = backlogStartNanos;
    }

    /** Sends the next batch of live records; false when there was none. */
    private boolean sendLive() throws IOException {
        Spool.Batch batch = spool.readFrom(livePosition, null, BATCH_BYTES);
        if (batch.isEmpty()) {
            livePosition = batch.end();
            return false;
        }
        List<Datapoint> fresh = unexpired(batch.datapoints());
        write(fresh, batch.end(), false);
        livePosition = batch.end();
        return true;
    }

    /** Sends as much of the backlog as the replay rate allows now; true when backlog remains. */
    private boolean sendBacklog() throws IOException {
        long now = System.nanoTime();
        if (now - backlogStartNanos < 0) {
            return true;
        }
        int rate = tuning.replayRate();
        if (rate > 0) {
            tokens = Math.min(Math.max(1, rate / 10.0), tokens + (now - tokensAtNanos) / 1e9 * rate);
            tokensAtNanos = now;
        }
        while (rate <= 0 || tokens >= 1) {
            if (backlogLines.isEmpty() && backlogRecordEnd == null) {
                Spool.Batch record = spool.readFrom(backlogPosition, liveStart, 1);
                if (record.isEmpty()) {
                    return !inFlightBacklogDone();
                }
                backlogLines.addAll(unexpired(record.datapoints()));
                backlogRecordEnd = record.end();
                backlogPosition = record.end();
            }
            int take = Math.min(backlogLines.size(), MAX_LINES_PER_WRITE);
            if (rate > 0) {
                take = Math.min(take, (int) tokens);
            }
            List<Datapoint> lines = new ArrayList<>(take);
            for (int i = 0; i < take; i++) {
                lines.add(backlogLines.pollFirst());
            }
            Spool.Position recordEnd = backlogLines.isEmpty() ? backlogRecordEnd : null;
            if (recordEnd != null) {
                backlogRecordEnd = null;
            }
            write(lines, recordEnd, true);
            tokens -= take;
        }
        return true;
    }

    /** True once no backlog line is left to send or to be acknowledged. */
    private boolean inFlightBacklogDone() {
        return backlogLines.isEmpty() && backlogRecordEnd == null && inFlight.stream().noneMatch(InFlight::backlog)
                && inWindow.stream().noneMatch(acknowledged -> acknowledged.flight().backlog());
    }

    private void write(List<Datapoint> lines, Spool.Position recordEnd, boolean backlog) throws IOException {
        CarbonConnection current = connection;
        if (!lines.isEmpty()) {
            current.send(lines);
            metrics.sent().inc(lines.size());
            metrics.destination(current.destination()).sent().inc(lines.size());
        }
        inFlight.addLast(new InFlight(current.written(), recordEnd, backlog, lines.size()));
        confirm();
    }

    private List<Datapoint> unexpired(List<Datapoint> datapoints) {
        if (maxAgeSeconds <= 0) {
            return datapoints;
        }
        long oldest = System.currentTimeMillis() / 1000 - maxAgeSeconds;
        List<Datapoint> kept = new ArrayList<>(datapoints.size());
        for (Datapoint datapoint : datapoints) {
            if (datapoint.epochSeconds() >= oldest) {
                kept.add(datapoint);
            }
        }
        metrics.expired().inc(datapoints.size() - kept.size());
        return kept;
    }

    // ---- acknowledging

    /**
     * Moves what the peer's TCP has acknowledged into the confirmation window, and the cursor past
     * every record that has been through the window with the connection still healthy.
     */
    private void confirm() throws IOException {
        CarbonConnection current = connection;
        if (current == null || inFlight.isEmpty() && inWindow.isEmpty() && !replaying) {
            return;
        }
        long acknowledged = current.acknowledged();
        long now = System.nanoTime();
        while (!inFlight.isEmpty() && inFlight.peekFirst().end() <= acknowledged) {
            InFlight done = inFlight.pollFirst();
            inWindow.addLast(new Acknowledged(done, now, current));
            if (!replaying && !done.backlog() && done.recordEnd() != null) {
                cursor.acknowledgedUnconfirmed(done.recordEnd());
            }
        }
        if (retiring != null && !retiring.peerOpen()) {
            throw new PeerClosed(retiring.destination(), "the peer closed a connection within " + CONFIRM_WINDOW.toMillis()
                    + " ms of acknowledging; what it acknowledged since is sent again");
        }
        if (!inWindow.isEmpty() && now - inWindow.peekFirst().atNanos() >= CONFIRM_WINDOW.toNanos() && !current.peerOpen()) {
            throw new IOException("the peer closed the connection within " + CONFIRM_WINDOW.toMillis()
                    + " ms of acknowledging; what it acknowledged since is sent again");
        }
        release(now - CONFIRM_WINDOW.toNanos());
    }

    /** Counts as delivered every record the peer's TCP acknowledged at or before {@code acknowledgedBy}, and moves the cursor past them. */
    private void release(long acknowledgedBy) {
        Spool.Position backlogConfirmed = null;
        while (!inWindow.isEmpty() && acknowledgedBy - inWindow.peekFirst().atNanos() >= 0) {
            Acknowledged confirmed = inWindow.pollFirst();
            InFlight done = confirmed.flight();
            metrics.acknowledged().inc(done.lines());
            metrics.destination(confirmed.connection().destination()).acknowledged().inc(done.lines());
            if (done.backlog()) {
                metrics.replayed().inc(done.lines());
            }
            if (done.recordEnd() != null) {
                if (done.backlog()) {
                    backlogConfirmed = done.recordEnd();
                } else {
                    liveConfirmed = done.recordEnd();
                }
            }
        }
        if (retiring != null && inWindow.stream().noneMatch(waiting -> waiting.connection() == retiring)) {
            retiring.close();
            retiring = null;
        }
        if (backlogConfirmed != null) {
            acknowledge(backlogConfirmed);
        }
        if (replaying && !spool.hasData(backlogPosition, liveStart) && inFlightBacklogDone()) {
            replaying = false;
            acknowledge(liveStart);
        }
        if (!replaying && liveConfirmed != null) {
            acknowledge(liveConfirmed);
            liveConfirmed = null;
        }
    }

    private void acknowledge(Spool.Position position) {
        try {
            cursor.acknowledge(position);
        } catch (IOException e) {
            // delivered, but the spool could not record it: it will be sent again, which is harmless
            LOG.error("cannot record the spool's acknowledged position: {}", e.toString());
        }
        CarbonConnection delivering = connection;
        if (delivering != null) {
            failedAtNanos.remove(delivering.destination());
        }
        if (failureStreak > 0) {
            CarbonConnection current = connection;
            LOG.info("delivering to carbon at {} again after {} failed attempt(s)",
                    current == null ? name : current.destination(), failureStreak);
            failureStreak = 0;
        }
    }

    // ---- failing

    /** {@code culprit}: the member that failed, when not the current connection's. */
    private void failed(String what, CarbonTarget.Destination culprit) throws InterruptedException {
        metrics.sendFailures().inc(1);
        CarbonConnection current = connection;
        CarbonTarget.Destination failedMember = culprit != null ? culprit : current == null ? null : current.destination();
        if (failedMember != null) {
            failedAtNanos.put(failedMember, System.nanoTime());
            metrics.destination(failedMember).failures().inc();
        }
        if (failureStreak == 0) {
            LOG.warn("{}{}: {}; datapoints stay in the spool and will be resent", name,
                    failedMember == null ? "" : " (carbon at " + failedMember + ")", what);
        }
        disconnect();
        pause(backoffMillis(++failureStreak));
    }

    /** No wait for the first retry (the next member, or a peer that closed an idle connection), then exponential with full jitter. */
    private long backoffMillis(int streak) {
        if (streak <= 1) {
            return 0;
        }
        long cap = Math.min(tuning.backoffMax().toMillis(), BACKOFF_INITIAL_MILLIS << Math.min(streak - 2, 20));
        return cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
    }

    /** Closes the connection; everything unacknowledged will be read again from the cursor's durable position. */
    private void disconnect() {
        CarbonConnection current = connection;
        connection = null;
        if (current != null) {
            current.close();
        }
        if (retiring != null) {
            retiring.close();
            retiring = null;
        }
        inFlight.clear();
        inWindow.clear();
        cursor.acknowledgedUnconfirmed(null);
        backlogLines.clear();
        backlogRecordEnd = null;
        replaying = false;
        liveConfirmed = null;
        livePosition = cursor.acknowledgedPosition();
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
            if (stopping && !retriedForDrain) {
                retriedForDrain = true;
                return;
            }
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
