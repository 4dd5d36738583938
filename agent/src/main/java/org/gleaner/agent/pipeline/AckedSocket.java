package org.gleaner.agent.pipeline;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.gleaner.collectors.jna.DirectLibC;
import org.gleaner.collectors.jna.TcpSockets;

/**
 * A TCP client socket that knows how much of what it wrote the peer's TCP has acknowledged: the
 * bytes written minus those still in the send queue ({@code ioctl(SIOCOUTQ)}, tcp(7)). A successful
 * write only means the bytes reached this host's send queue; a peer that accepts and never reads lets
 * about a megabyte sit there without any error.
 *
 * <p>Writes never block for ever: a write that would block waits in slices of {@link #POLL_MILLIS}
 * and fails with {@link StalledException} as soon as bytes written {@code ackTimeout} ago are still
 * unacknowledged, or with an {@link IOException} once {@link #abort()} was called from another
 * thread. The descriptor is closed only by {@link #close()}, from the owning thread.
 */
final class AckedSocket implements Closeable {
    private static final int POLL_MILLIS = 100;
    private static final int CHUNK_BYTES = 64 * 1024;

    /** Bytes written {@code ackTimeout} ago are still not acknowledged: the peer takes nothing in time. */
    static final class StalledException extends IOException {
        StalledException(String message) {
            super(message);
        }
    }

    private record Written(long end, long atNanos) {}

    private final int fd;
    private final long ackTimeoutNanos;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
    private final ByteBuffer probe = ByteBuffer.allocateDirect(512);
    private final Memory pollFd = new Memory(8);
    private final ArrayDeque<Written> unacknowledged = new ArrayDeque<>();
    private long written;
    private volatile boolean aborted;
    private boolean closed;

    private AckedSocket(int fd, long ackTimeoutNanos) {
        this.fd = fd;
        this.ackTimeoutNanos = ackTimeoutNanos;
    }

    /** Connects to {@code address} within {@code connectTimeoutMillis}. */
    static AckedSocket connect(InetSocketAddress address, int connectTimeoutMillis, long ackTimeoutNanos) throws IOException {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new java.net.UnknownHostException(address.getHostString());
        }
        int family = ip instanceof Inet4Address ? TcpSockets.AF_INET : TcpSockets.AF_INET6;
        int fd;
        try {
            fd = TcpSockets.socket(family, TcpSockets.SOCK_STREAM | TcpSockets.SOCK_NONBLOCK | TcpSockets.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw failure("socket", e);
        }
        AckedSocket socket = new AckedSocket(fd, ackTimeoutNanos);
        try {
            socket.connectTo(family, ip, address.getPort(), connectTimeoutMillis);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void connectTo(int family, InetAddress ip, int port, int timeoutMillis) throws IOException {
        byte[] sockaddr = sockaddr(family, ip, port);
        try {
            TcpSockets.connect(fd, sockaddr, sockaddr.length);
            return;
        } catch (LastErrorException e) {
            if (e.getErrorCode() != TcpSockets.EINPROGRESS) {
                throw connectFailure(e);
            }
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!ready(TcpSockets.POLLOUT, (int) Math.min(POLL_MILLIS, Math.max(0, (deadline - System.nanoTime()) / 1_000_000)))) {
            if (System.nanoTime() - deadline >= 0) {
                throw new SocketTimeoutException("connect timed out after " + timeoutMillis + " ms");
            }
            if (aborted) {
                throw new SocketException("connection aborted");
            }
        }
        int[] error = {0};
        TcpSockets.getsockopt(fd, TcpSockets.SOL_SOCKET, TcpSockets.SO_ERROR, error, new int[] {4});
        if (error[0] != 0) {
            throw connectFailure(new LastErrorException(error[0]));
        }
    }

    private static byte[] sockaddr(int family, InetAddress ip, int port) {
        byte[] raw = ip.getAddress();
        ByteBuffer address = ByteBuffer.allocate(family == TcpSockets.AF_INET ? 16 : 28);
        address.order(java.nio.ByteOrder.nativeOrder()).putShort(0, (short) family);
        address.order(java.nio.ByteOrder.BIG_ENDIAN).putShort(2, (short) port);
        address.position(family == TcpSockets.AF_INET ? 4 : 8);
        address.put(raw);
        if (family == TcpSockets.AF_INET6 && ip instanceof java.net.Inet6Address v6) {
            address.order(java.nio.ByteOrder.nativeOrder()).putInt(24, v6.getScopeId());
        }
        return address.array();
    }

    /** Writes all of {@code bytes[offset, offset+length)} into the send queue. */
    void write(byte[] bytes, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            checkUsable();
            int part = Math.min(CHUNK_BYTES, length - done);
            chunk.clear();
            chunk.put(bytes, offset + done, part).flip();
            while (chunk.hasRemaining()) {
                long sent;
                try {
                    sent = TcpSockets.send(fd, chunk, chunk.remaining(), TcpSockets.MSG_DONTWAIT | TcpSockets.MSG_NOSIGNAL);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == TcpSockets.EAGAIN) {
                        ready(TcpSockets.POLLOUT, POLL_MILLIS);
                        checkUsable();
                        continue;
                    }
                    if (e.getErrorCode() == TcpSockets.EINTR) {
                        continue;
                    }
                    throw failure("send", e);
                }
                // send(2) does not move the buffer's position itself
                chunk.position(chunk.position() + (int) sent);
                written += sent;
                unacknowledged.addLast(new Written(written, System.nanoTime()));
            }
            done += part;
        }
    }

    /** Bytes written so far on this connection. */
    long written() {
        return written;
    }

    /** Bytes of {@link #written()} that the peer's TCP has acknowledged. */
    long acknowledged() throws IOException {
        int[] queued = {0};
        try {
            TcpSockets.ioctl(fd, new NativeLong(TcpSockets.SIOCOUTQ), queued);
        } catch (LastErrorException e) {
            throw failure("ioctl(SIOCOUTQ)", e);
        }
        long acknowledged = written - queued[0];
        while (!unacknowledged.isEmpty() && unacknowledged.peekFirst().end() <= acknowledged) {
            unacknowledged.pollFirst();
        }
        return acknowledged;
    }

    /** Fails with {@link StalledException} when bytes written {@code ackTimeout} ago are still unacknowledged. */
    void checkProgress() throws IOException {
        acknowledged();
        Written oldest = unacknowledged.peekFirst();
        if (oldest != null && System.nanoTime() - oldest.atNanos() > ackTimeoutNanos) {
            throw new StalledException((written - acknowledged()) + " bytes written more than "
                    + ackTimeoutNanos / 1_000_000 + " ms ago are still not acknowledged by the peer");
        }
    }

    /** False when the peer has closed or reset the connection. */
    boolean peerOpen() {
        return peerState() == PeerState.OPEN;
    }

    private enum PeerState { OPEN, CLOSED, RESET }

    /**
     * What a non-blocking read finds. Carbon never writes to its clients, so end-of-stream (or an
     * error) is all a read can find; anything else read is discarded.
     */
    private PeerState peerState() {
        try {
            while (true) {
                probe.clear();
                if (TcpSockets.recv(fd, probe, probe.capacity(), TcpSockets.MSG_DONTWAIT) == 0) {
                    return PeerState.CLOSED;
                }
            }
        } catch (LastErrorException e) {
            return e.getErrorCode() == TcpSockets.EAGAIN || e.getErrorCode() == TcpSockets.EINTR ? PeerState.OPEN : PeerState.RESET;
        }
    }

    /**
     * Ends this side of the stream and waits up to {@code timeoutMillis} for the peer's end of
     * stream. A peer's process reads this side's FIN only after every byte written before it, and
     * carbon closes a client once it reads end-of-stream: the peer's FIN therefore shows that its
     * process has read everything. False when the peer reset the connection (it closed with bytes
     * unread) or did not close in time.
     */
    boolean finish(long timeoutMillis) throws IOException {
        try {
            TcpSockets.shutdown(fd, TcpSockets.SHUT_WR);
        } catch (LastErrorException e) {
            return false;
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!aborted) {
            PeerState state = peerState();
            if (state != PeerState.OPEN) {
                return state == PeerState.CLOSED;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            ready(TcpSockets.POLLIN, (int) Math.min(POLL_MILLIS, left));
        }
        return false;
    }

    /** From any thread: makes the owner's current and next writes fail at once. */
    void abort() {
        aborted = true;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                DirectLibC.close(fd);
            } catch (LastErrorException e) {
                // nothing is left to release
            }
        }
    }

    private void checkUsable() throws IOException {
        if (aborted || closed) {
            throw new SocketException("connection aborted");
        }
        checkProgress();
    }

    private boolean ready(short events, int timeoutMillis) throws IOException {
        pollFd.setInt(0, fd);
        pollFd.setShort(4, events);
        pollFd.setShort(6, (short) 0);
        try {
            return DirectLibC.poll(pollFd, 1, timeoutMillis) > 0;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == TcpSockets.EINTR) {
                return false;
            }
            throw failure("poll", e);
        }
    }

    private static IOException connectFailure(LastErrorException e) {
        return new ConnectException(strerror(e));
    }

    private static IOException failure(String call, LastErrorException e) {
        return new SocketException(call + ": " + strerror(e));
    }

    private static String strerror(LastErrorException e) {
        return org.gleaner.collectors.jna.LibC.INSTANCE.strerror(e.getErrorCode());
    }

    /**
     * The socket as metrics-graphite's senders see it: only its output stream is used, and closing it
     * closes this connection.
     */
    Socket asJavaSocket() throws SocketException {
        return new JavaSocket(this);
    }

    private static final class JavaSocket extends Socket {
        private final AckedSocket socket;
        private final OutputStream output;

        JavaSocket(AckedSocket socket) throws SocketException {
            super((SocketImpl) null);
            this.socket = socket;
            this.output = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    socket.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    socket.write(bytes, offset, length);
                }
            };
        }

        @Override
        public OutputStream getOutputStream() {
            return output;
        }

        @Override
        public boolean isConnected() {
            return !socket.closed;
        }

        @Override
        public boolean isClosed() {
            return socket.closed;
        }

        @Override
        public synchronized void close() {
            socket.close();
        }
    }
}
