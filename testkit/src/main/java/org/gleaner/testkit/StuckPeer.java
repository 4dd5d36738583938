package org.gleaner.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A carbon destination on 127.0.0.1 that accepts connections and then reads nothing
 * ({@link #neverReads()}), or reads {@code bytesPerSecond} and forwards what it read to a real
 * carbon ({@link #slowProxy}): a hung or overloaded carbon. Its receive buffer is the kernel's
 * minimum, so the peer's TCP can acknowledge only a couple of KiB it has not read.
 */
public final class StuckPeer implements AutoCloseable {

    private final ServerSocket server = new ServerSocket();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicLong linesRead = new AtomicLong();
    private final int bytesPerSecond;
    private final int forwardPort;

    private StuckPeer(int bytesPerSecond, int forwardPort) throws IOException {
        this.bytesPerSecond = bytesPerSecond;
        this.forwardPort = forwardPort;
        // a quarter second of reading: what the peer's TCP may acknowledge before the reader took it
        server.setReceiveBufferSize(Math.max(1024, bytesPerSecond / 4));
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::accept, "stuck-peer-accept");
        acceptor.setDaemon(true);
        threads.add(acceptor);
        acceptor.start();
    }

    /** Accepts and never reads. */
    public static StuckPeer neverReads() {
        try {
            return new StuckPeer(0, 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1", e);
        }
    }

    /** Reads {@code bytesPerSecond} from each connection and writes it on to 127.0.0.1:{@code carbonPort}. */
    public static StuckPeer slowProxy(int bytesPerSecond, int carbonPort) {
        try {
            return new StuckPeer(bytesPerSecond, carbonPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1", e);
        }
    }

    /** Reads {@code bytesPerSecond} from each connection and discards it: a store with a fixed capacity. */
    public static StuckPeer slowSink(int bytesPerSecond) {
        return slowProxy(bytesPerSecond, 0);
    }

    public int port() {
        return server.getLocalPort();
    }

    public int accepted() {
        return held.size();
    }

    /** Newlines read so far: the complete lines this peer has really taken. */
    public long linesRead() {
        return linesRead.get();
    }

    /** True once every connection of a slow proxy has reached end-of-stream and been forwarded. */
    public boolean drained() {
        return threads.stream().skip(1).noneMatch(Thread::isAlive);
    }

    /**
     * For a peer that never read: reads what its kernel buffered (what its TCP acknowledged) from every
     * connection the sender has closed, and returns the number of complete lines in it.
     */
    public long linesBuffered() throws IOException {
        long lines = 0;
        byte[] buffer = new byte[8192];
        for (Socket socket : held) {
            socket.setSoTimeout(2_000);
            InputStream in = socket.getInputStream();
            try {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    for (int i = 0; i < read; i++) {
                        lines += buffer[i] == '\n' ? 1 : 0;
                    }
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                // the sender has not closed this connection: count what it holds so far
            }
        }
        return lines;
    }

    private void accept() {
        try {
            while (true) {
                Socket socket = server.accept();
                held.add(socket);
                if (bytesPerSecond > 0) {
                    Thread reader = new Thread(() -> forward(socket), "stuck-peer-forward");
                    reader.setDaemon(true);
                    threads.add(reader);
                    reader.start();
                }
            }
        } catch (IOException closed) {
            // close() stops accepting
        }
    }

    private void forward(Socket socket) {
        byte[] buffer = new byte[bytesPerSecond];
        try (Socket carbon = forwardPort == 0 ? null : new Socket(InetAddress.getLoopbackAddress(), forwardPort);
                InputStream in = socket.getInputStream();
                OutputStream out = carbon == null ? OutputStream.nullOutputStream() : carbon.getOutputStream()) {
            long next = System.nanoTime();
            while (true) {
                int read = in.read(buffer);
                if (read < 0) {
                    return;
                }
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == '\n') {
                        linesRead.incrementAndGet();
                    }
                }
                out.write(buffer, 0, read);
                out.flush();
                next += 1_000_000_000L * read / bytesPerSecond;
                long sleep = (next - System.nanoTime()) / 1_000_000;
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
        } catch (IOException | InterruptedException stopped) {
            // the connection or the test ended
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // nothing more to release
        }
        for (Socket socket : held) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
