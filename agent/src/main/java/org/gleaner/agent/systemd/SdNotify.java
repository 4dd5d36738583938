package org.gleaner.agent.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Logger;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * sd_notify(3) for a Type=notify service: state datagrams ("READY=1", "WATCHDOG=1", "STATUS=…",
 * "STOPPING=1") to the unix datagram socket named by NOTIFY_SOCKET — a path, or "@name" for the
 * abstract namespace (address "\0name"). Without NOTIFY_SOCKET every call does nothing. A failed
 * send is logged once and never stops the agent.
 */
public final class SdNotify implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.gleaner.agent");

    private final UnixDatagramChannel channel;
    private final UnixSocketAddress address;
    private final Duration watchdogInterval;
    private boolean failureLogged;

    private SdNotify(UnixDatagramChannel channel, UnixSocketAddress address, Duration watchdogInterval) {
        this.channel = channel;
        this.address = address;
        this.watchdogInterval = watchdogInterval;
    }

    public static SdNotify fromEnvironment() {
        return from(System.getenv());
    }

    static SdNotify from(Map<String, String> environment) {
        String socket = environment.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return new SdNotify(null, null, null);
        }
        if (!socket.startsWith("/") && !socket.startsWith("@")) {
            LOG.warning("NOTIFY_SOCKET is neither a path nor an abstract @name; not notifying systemd");
            return new SdNotify(null, null, null);
        }
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        try {
            return new SdNotify(UnixDatagramChannel.open(), new UnixSocketAddress(path), watchdog(environment));
        } catch (IOException e) {
            LOG.warning("cannot open a socket to notify systemd: " + e.getMessage());
            return new SdNotify(null, null, null);
        }
    }

    /**
     * Half of WATCHDOG_USEC (the margin sd_watchdog_enabled(3) recommends), when the watchdog is
     * meant for this process (WATCHDOG_PID absent or ours); null otherwise.
     */
    private static Duration watchdog(Map<String, String> environment) {
        String usec = environment.get("WATCHDOG_USEC");
        String pid = environment.get("WATCHDOG_PID");
        if (usec == null || (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            return null;
        }
        try {
            long micros = Long.parseLong(usec.trim());
            return micros > 0 ? Duration.ofNanos(micros * 1000 / 2) : null;
        } catch (NumberFormatException bad) {
            LOG.warning("WATCHDOG_USEC is not a number: " + usec);
            return null;
        }
    }

    /** How often the watchdog must be fed, or null when systemd does not watch this process. */
    public Duration watchdogInterval() {
        return watchdogInterval;
    }

    public boolean watchdogEnabled() {
        return watchdogInterval != null;
    }

    /** Sends newline-separated assignments in one datagram. */
    public synchronized void send(String state) {
        if (channel == null) {
            return;
        }
        try {
            channel.send(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)), address);
        } catch (IOException e) {
            if (!failureLogged) {
                LOG.warning("cannot notify systemd (" + e.getMessage() + "); will keep trying silently");
                failureLogged = true;
            }
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to notify
            }
        }
    }
}
