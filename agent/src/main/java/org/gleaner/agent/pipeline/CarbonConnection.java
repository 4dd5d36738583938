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
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import javax.net.SocketFactory;

/**
 * One connection to one carbon destination through a metrics-graphite sender. TCP sockets are
 * channel-backed so that {@link #peerOpen()} can look for a FIN or RST without blocking before each
 * write, and so that {@link #abort()} from another thread unblocks a write stuck on a peer that
 * stopped reading.
 */
final class CarbonConnection implements Closeable {
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** Carbon closes pickle connections over 1 MiB per message (PICKLE_RECEIVER_MAX_LENGTH). */
    private static final int PICKLE_BATCH = 500;

    private final CarbonTarget.Destination destination;
    private final GraphiteSender sender;
    private final ChannelSocketFactory sockets;
    private final ByteBuffer probe = ByteBuffer.allocate(512);

    private CarbonConnection(CarbonTarget.Destination destination, GraphiteSender sender, ChannelSocketFactory sockets) {
        this.destination = destination;
        this.sender = sender;
        this.sockets = sockets;
    }

    /** Connects (TCP) or prepares a socket (UDP) to {@code destination}. */
    static CarbonConnection open(CarbonTarget.Destination destination, CarbonTarget.Protocol protocol) throws IOException {
        ChannelSocketFactory sockets = protocol == CarbonTarget.Protocol.UDP ? null : new ChannelSocketFactory();
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

    /**
     * False when the peer has closed or reset the connection. Carbon never writes to its
     * receivers' clients, so a readable end-of-stream is the only thing a read can find.
     */
    boolean peerOpen() {
        if (sockets == null) {
            return true;
        }
        SocketChannel channel = sockets.channel;
        try {
            channel.configureBlocking(false);
            try {
                int read;
                do {
                    probe.clear();
                    read = channel.read(probe);
                } while (read > 0);
                return read == 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes the datapoints and flushes them to the socket. */
    void send(List<Datapoint> datapoints) throws IOException {
        for (Datapoint datapoint : datapoints) {
            sender.send(datapoint.path(), formatValue(datapoint.value()), datapoint.epochSeconds());
        }
        sender.flush();
    }

    /** Closes the socket under a writer blocked in another thread. */
    void abort() {
        if (sockets != null && sockets.channel != null) {
            try {
                sockets.channel.close();
            } catch (IOException e) {
                // closing is all we wanted
            }
        }
    }

    @Override
    public void close() {
        try {
            sender.close();
        } catch (IOException e) {
            // the connection is being dropped anyway
        } finally {
            abort();
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

    /** Makes metrics-graphite's TCP senders use channel-backed sockets with a connect timeout. */
    private static final class ChannelSocketFactory extends SocketFactory {
        private SocketChannel channel;

        @Override
        public Socket createSocket(InetAddress address, int port) throws IOException {
            SocketChannel opened = SocketChannel.open();
            try {
                opened.socket().connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                opened.close();
                throw e;
            }
            channel = opened;
            return opened.socket();
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
