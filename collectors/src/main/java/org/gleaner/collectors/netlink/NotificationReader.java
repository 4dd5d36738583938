package org.gleaner.collectors.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread that reads kernel notifications from a netlink socket and hands each datagram to a
 * handler, and never waits for anything else, so the socket keeps draining while the collector is
 * busy. It alternates a non-blocking receive, whose EAGAIN proves that everything sent before it
 * was handled, with a blocking one; {@link #awaitDrain} wakes the blocking one when a cycle needs a
 * fresh proof, so an idle reader sleeps until a notification or a cycle comes.
 */
public final class NotificationReader implements AutoCloseable {
    private static final int DRAIN_WAIT_ATTEMPTS = 50;
    private static final long DRAIN_WAIT_MILLIS = 2;

    /** Receives one datagram as {@link NetlinkSocket#receive} does, and ends a blocking receive as {@link NetlinkSocket#wake}. */
    public interface Source {
        int receive(ByteBuffer buffer, boolean wait) throws IOException;

        void wake();
    }

    /** Handles one datagram (flipped for reading); runs on the reader thread. */
    public interface Handler {
        void datagram(ByteBuffer datagram);
    }

    private final Source source;
    private final Handler handler;
    private final int bufferBytes;
    private final Thread thread;
    private final AtomicLong overflows = new AtomicLong();
    private volatile boolean closing;
    private volatile long drainedNanos = System.nanoTime();
    private volatile Throwable failure;

    public NotificationReader(String threadName, Source source, int bufferBytes, Handler handler) {
        this.source = source;
        this.handler = handler;
        this.bufferBytes = bufferBytes;
        this.thread = new Thread(this::read, threadName);
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Times the kernel dropped notifications because the socket was full (ENOBUFS). */
    public long overflows() {
        return overflows.get();
    }

    /** When the reader last found the socket empty: everything sent before then was handled. */
    public long drainedNanos() {
        return drainedNanos;
    }

    /** Throws if the reader stopped on an error. */
    public void check(String what) throws IOException {
        Throwable stopped = failure;
        if (stopped != null) {
            throw new IOException(what + " stopped: " + stopped.getMessage(), stopped);
        }
    }

    /** Waits (about 100 ms at most) until the reader found the socket empty after {@code nanos}. */
    public void awaitDrain(long nanos) throws InterruptedException {
        source.wake();
        for (int attempt = 0; attempt < DRAIN_WAIT_ATTEMPTS && drainedNanos - nanos < 0 && thread.isAlive(); attempt++) {
            Thread.sleep(DRAIN_WAIT_MILLIS);
        }
    }

    private void read() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bufferBytes);
        try {
            boolean wait = false;
            while (!closing) {
                long before = System.nanoTime();
                int length = source.receive(buffer, wait);
                if (length == 0) {
                    if (!wait) {
                        drainedNanos = before;
                    }
                    wait = !wait;
                    continue;
                }
                wait = false;
                if (length == NetlinkSocket.OVERFLOW) {
                    overflows.incrementAndGet();
                } else if (length > 0) {
                    handler.datagram(buffer);
                }
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** Stops the thread and waits for it. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        source.wake();
        thread.join(Duration.ofSeconds(5).toMillis());
    }
}
