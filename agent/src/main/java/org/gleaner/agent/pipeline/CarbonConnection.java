package org.gleaner.agent.pipeline;

import com.codahale.metrics.graphite.Graphite;
import com.codahale.metrics.graphite.GraphiteSender;
import com.codahale.metrics.graphite.GraphiteUDP;
import com.codahale.metrics.graphite.PickledGraphite;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import javax.net.SocketFactory;

/**
 * One connection to one carbon destination through a metrics-graphite sender. TCP senders write
 * through an {@link AckedSocket}, so that the pipeline can count as delivered only what the peer's
 * TCP has acknowledged, and so that a peer that stops reading is noticed instead of blocking a write.
 * UDP has no acknowledgement: what was sent counts as acknowledged.
 */
final class CarbonConnection implements Closeable {
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** Carbon closes pickle connections over 1 MiB per message (PICKLE_RECEIVER_MAX_LENGTH). */
    private static final int PICKLE_BATCH = 500;

    private final CarbonTarget.Destination destination;
    private final GraphiteSender sender;
    private final AckedSocketFactory sockets;
    private long udpSent;

    private CarbonConnection(CarbonTarget.Destination destination, GraphiteSender sender, AckedSocketFactory sockets) {
        this.destination = destination;
        this.sender = sender;
        this.sockets = sockets;
    }

    /** Connects (TCP) or prepares a socket (UDP) to {@code destination}. */
    static CarbonConnection open(CarbonTarget.Destination destination, CarbonTarget.Protocol protocol, Duration ackTimeout)
            throws IOException {
        AckedSocketFactory sockets = protocol == CarbonTarget.Protocol.UDP ? null : new AckedSocketFactory(ackTimeout.toNanos());
        String host = destination.host();
        int port = destination.port();
        GraphiteSender sender = switch (protocol) {
            case PLAINTEXT -> new Graphite(host, port, sockets) {
                @Override
                protected String sanitize(String text) {
                    return CarbonConnection.sanitize(text);
                }
            };
            case PICKLE -> new PickledGraphite(host, port, sockets, PICKLE_BATCH) {
                @Override
                protected String sanitize(String text) {
                    return CarbonConnection.sanitize(text);
                }
            };
            case UDP -> new GraphiteUDP(host, port) {
                @Override
                protected String sanitize(String text) {
                    return CarbonConnection.sanitize(text);
                }
            };
        };
        sender.connect();
        return new CarbonConnection(destination, sender, sockets);
    }

    CarbonTarget.Destination destination() {
        return destination;
    }

    /** False when the peer has closed or reset the connection. */
    boolean peerOpen() {
        return sockets == null || sockets.socket.peerOpen();
    }

    /** Writes the datapoints and flushes them into the socket; they are delivered once {@link #acknowledged()} passes {@link #written()}. */
    void send(List<Datapoint> datapoints) throws IOException {
        for (Datapoint datapoint : datapoints) {
            sender.send(datapoint.path(), formatValue(datapoint.value()), datapoint.epochSeconds());
        }
        sender.flush();
        udpSent += datapoints.size();
    }

    /** How far this connection has written, in bytes (TCP) or datapoints (UDP). */
    long written() {
        return sockets == null ? udpSent : sockets.socket.written();
    }

    /** How much of {@link #written()} the peer has acknowledged. */
    long acknowledged() throws IOException {
        return sockets == null ? udpSent : sockets.socket.acknowledged();
    }

    /** Fails when bytes written longer than the acknowledgement timeout ago are still unacknowledged. */
    void checkProgress() throws IOException {
        if (sockets != null) {
            sockets.socket.checkProgress();
        }
    }

    /**
     * Closes the sending side and waits up to {@code timeoutMillis} for the peer to close too, which
     * shows that it read everything written ({@link AckedSocket#finish}). UDP has nothing to wait for.
     */
    boolean finish(long timeoutMillis) throws IOException {
        return sockets == null || sockets.socket.finish(timeoutMillis);
    }

    /** From another thread: makes a write blocked in this connection fail at once. */
    void abort() {
        if (sockets != null && sockets.socket != null) {
            sockets.socket.abort();
        }
    }

    @Override
    public void close() {
        abort();
        try {
            sender.close();
        } catch (IOException e) {
            // the connection is being dropped anyway
        } finally {
            if (sockets != null && sockets.socket != null) {
                sockets.socket.close();
            }
        }
    }

    /** Integral values without a fraction (as collectors mostly produce), others in Java's shortest round-trip form. */
    static String formatValue(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** Paths arrive escaped; this only guards the line protocol against whitespace and control characters. */
    static String sanitize(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) <= ' ' || text.charAt(i) == 0x7f) {
                StringBuilder clean = new StringBuilder(text);
                for (int j = i; j < clean.length(); j++) {
                    if (clean.charAt(j) <= ' ' || clean.charAt(j) == 0x7f) {
                        clean.setCharAt(j, '-');
                    }
                }
                return clean.toString();
            }
        }
        return text;
    }

    /** Makes metrics-graphite's TCP senders write through an {@link AckedSocket}. */
    private static final class AckedSocketFactory extends SocketFactory {
        private final long ackTimeoutNanos;
        private AckedSocket socket;

        AckedSocketFactory(long ackTimeoutNanos) {
            this.ackTimeoutNanos = ackTimeoutNanos;
        }

        @Override
        public Socket createSocket(InetAddress address, int port) throws IOException {
            socket = AckedSocket.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS, ackTimeoutNanos);
            return socket.asJavaSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return createSocket(InetAddress.getByName(host), port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) {
            throw new UnsupportedOperationException("binding a local address is not supported");
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
            throw new UnsupportedOperationException("binding a local address is not supported");
        }
    }
}
