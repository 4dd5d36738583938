package org.gleaner.agent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketOptions;
import org.gleaner.agent.AgentRun;
import org.gleaner.agent.AgentRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A datagram socket stands in for systemd; the real agent (bin/gleaner) notifies it. */
class SdNotifyTest {
    static final Duration LIMIT = Duration.ofSeconds(30);

    /** Binds a datagram socket at {@code address} and gathers every message until closed. */
    static final class FakeSystemd implements AutoCloseable {
        private final UnixDatagramChannel channel;
        private final List<String> messages = new ArrayList<>();
        private final Thread reader;

        FakeSystemd(String address) throws IOException {
            channel = UnixDatagramChannel.open();
            channel.bind(new UnixSocketAddress(address));
            channel.setOption(UnixSocketOptions.SO_RCVTIMEO, 100); // receive() then fails with EAGAIN every 100 ms
            reader = new Thread(this::read, "fake-systemd");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (channel.isOpen() && System.nanoTime() < deadline) {
                buffer.clear();
                try {
                    channel.receive(buffer);
                } catch (IOException timedOutOrClosed) {
                    continue;
                }
                buffer.flip();
                synchronized (messages) {
                    messages.add(StandardCharsets.UTF_8.decode(buffer).toString());
                }
            }
        }

        /** Every assignment received, one per element ("READY=1", "STATUS=…"). */
        List<String> assignments() throws InterruptedException {
            Thread.sleep(200);
            synchronized (messages) {
                return messages.stream().flatMap(message -> message.lines()).toList();
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    static void assertNotified(List<String> assignments, int cycles) {
        assertEquals("READY=1", assignments.get(0), assignments.toString());
        assertTrue(assignments.stream().filter("WATCHDOG=1"::equals).count() >= cycles, assignments.toString());
        assertTrue(assignments.stream().anyMatch(a -> a.startsWith("STATUS=cycle " + cycles + ": ")), assignments.toString());
        assertTrue(assignments.contains("STOPPING=1"), assignments.toString());
        assertTrue(assignments.indexOf("STOPPING=1") > assignments.indexOf("READY=1"));
    }

    /** Runs the agent to completion with NOTIFY_SOCKET={@code notifySocket}, gathering what a fake systemd at {@code bindAddress} receives. */
    static List<String> notifications(String bindAddress, String notifySocket, String watchdogUsec, String... args)
            throws Exception {
        try (FakeSystemd systemd = new FakeSystemd(bindAddress)) {
            Result result = AgentRun.run(LIMIT, Map.of("NOTIFY_SOCKET", notifySocket, "WATCHDOG_USEC", watchdogUsec), args);
            assertEquals(0, result.exit(), result.stderr());
            return systemd.assignments();
        }
    }

    @Test
    void notifiesAPathSocket(@TempDir Path dir) throws Exception {
        String socket = dir.resolve("notify").toString();
        assertNotified(notifications(socket, socket, "30000000",
                "agent", "--stdout", "--cycles", "2", "-i", "200ms", "--collectors", "system"), 2);
    }

    @Test
    void notifiesAnAbstractSocket() throws Exception {
        String name = "gleaner-test-notify-" + ProcessHandle.current().pid();
        assertNotified(notifications("\0" + name, "@" + name, "30000000",
                "agent", "--stdout", "--cycles", "3", "-i", "200ms", "--collectors", "system"), 3);
    }

    @Test
    void feedsTheWatchdogBetweenTicksWhenTheIntervalIsLong(@TempDir Path dir) throws Exception {
        String socket = dir.resolve("notify").toString();
        // a 400 ms watchdog is fed every 200 ms, though a 1 s interval has fewer ticks than that
        List<String> assignments = notifications(socket, socket, "400000",
                "agent", "--stdout", "--cycles", "2", "-i", "1s", "--collectors", "system");
        assertTrue(assignments.stream().filter("WATCHDOG=1"::equals).count() >= 5, assignments.toString());
    }

    @Test
    void sigtermSendsStoppingAndExitsZero(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("notify");
        try (FakeSystemd systemd = new FakeSystemd(socket.toString());
             AgentRun run = AgentRun.start(Map.of("NOTIFY_SOCKET", socket.toString()),
                     "agent", "--stdout", "-i", "200ms", "--collectors", "system")) {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (!systemd.assignments().contains("READY=1") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            run.process().destroy();
            Result result = run.await(LIMIT);
            assertEquals(0, result.exit(), result.stderr());
            List<String> assignments = systemd.assignments();
            assertTrue(assignments.contains("STOPPING=1"), assignments.toString());
            assertTrue(assignments.stream().noneMatch(a -> a.startsWith("WATCHDOG")), "no WATCHDOG_USEC, no watchdog");
        }
    }
}
