package org.gleaner.collectors.conntrack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.gleaner.collectors.netlink.NetworkNamespace;

/**
 * The two per-namespace sysctls exact accounting depends on (Documentation/networking/
 * nf_conntrack-sysctl.rst). An entry carries byte counters only if nf_conntrack_acct was 1 when it
 * was created; with nf_conntrack_events=2 (the default since 5.19) an entry created while no
 * listener existed never sends a DESTROY event, so its traffic after the last dump is lost.
 * {@code setup: true} sets both to 1; otherwise one line says what to change.
 */
final class KernelSettings {
    private static final System.Logger LOG = System.getLogger(KernelSettings.class.getName());
    static final Path ACCT = Path.of("/proc/sys/net/netfilter/nf_conntrack_acct");
    static final Path EVENTS = Path.of("/proc/sys/net/netfilter/nf_conntrack_events");

    private KernelSettings() {}

    /** Reads (and with {@code setup} writes) the sysctls of {@code namespace}, null for the caller's own. */
    static void prepare(Path namespace, boolean setup) throws IOException {
        String where = namespace == null ? "" : " in " + namespace;
        NetworkNamespace.call(namespace, () -> {
            // /proc/sys/net shows the namespace of the thread that opens the file
            String acct = read(ACCT, where);
            String events = read(EVENTS, where);
            if (setup) {
                write(ACCT, acct, where);
                write(EVENTS, events, where);
                return null;
            }
            if (!acct.equals("1")) {
                LOG.log(System.Logger.Level.WARNING, "conntrack" + where + ": net.netfilter.nf_conntrack_acct is " + acct
                        + ", so new flows carry no byte counters (see flows_without_counters): set it to 1 or use setup: true");
            }
            if (!events.equals("1")) {
                LOG.log(System.Logger.Level.WARNING, "conntrack" + where + ": net.netfilter.nf_conntrack_events is " + events
                        + ", so flows older than the collector send no DESTROY event and their last seconds are not counted"
                        + " (see flows_vanished): set it to 1 or use setup: true");
            }
            return null;
        });
    }

    private static String read(Path sysctl, String where) throws IOException {
        try {
            return Files.readString(sysctl).trim();
        } catch (NoSuchFileException e) {
            throw new IOException("conntrack is not available" + where + ": no " + sysctl + " (module nf_conntrack not loaded?)");
        }
    }

    private static void write(Path sysctl, String current, String where) throws IOException {
        if (current.equals("1")) {
            return;
        }
        try {
            Files.writeString(sysctl, "1");
        } catch (IOException e) {
            throw new IOException("setup: cannot set " + sysctl + where + " to 1: " + e.getMessage()
                    + " (needs root in the namespace's owning user namespace)", e);
        }
        LOG.log(System.Logger.Level.INFO, "conntrack" + where + ": set " + sysctl + " to 1 (was " + current + ")");
    }
}
