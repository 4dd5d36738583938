package org.gleaner.packaging;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Requirements;

/**
 * A minimal Debian 12 tree that boots (systemd, dbus), made by mmdebstrap once per test run and shared
 * by the tests, each of which boots a copy-on-write overlay of it. No Java is installed, but its packages
 * (default-jre-headless and dependencies) are in the apt cache, so that {@code apt install ./gleaner.deb}
 * works inside the booted tree without a network.
 */
final class DebianTree {
    static final Duration MMDEBSTRAP_LIMIT = Duration.ofMinutes(15);
    private static Path base;
    private static Process mmdebstrap;
    private static Path log;

    private DebianTree() {}

    /** Starts mmdebstrap in the background (the package build can run meanwhile). */
    static synchronized void startBuilding() {
        if (base != null) {
            return;
        }
        Requirements.requireTool("mmdebstrap");
        Requirements.requireTool("systemd-nspawn");
        Path dir = Packages.temporaryDirectory("gleaner-debian-");
        base = dir.resolve("root");
        log = dir.resolve("mmdebstrap.log");
        try {
            mmdebstrap = new ProcessBuilder("mmdebstrap", "--quiet", "--variant=apt", "--include=systemd,systemd-sysv,dbus",
                    "--skip=cleanup/apt",
                    "--customize-hook=chroot \"$1\" apt-get install --download-only -y -qq --no-install-recommends default-jre-headless",
                    // the test's apt install must not want what is not in the cache
                    "--customize-hook=echo 'APT::Install-Recommends \"false\";' > \"$1/etc/apt/apt.conf.d/90no-recommends\"",
                    "bookworm", base.toString(), mirror())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run mmdebstrap", e);
        }
    }

    /** The finished tree (waits for mmdebstrap). Tests must not change it: boot an {@link Overlay}. */
    static synchronized Path base() throws Exception {
        startBuilding();
        if (mmdebstrap != null) {
            if (!mmdebstrap.waitFor(MMDEBSTRAP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                mmdebstrap.descendants().forEach(ProcessHandle::destroyForcibly);
                mmdebstrap.destroyForcibly();
                throw new AssertionError("mmdebstrap took longer than " + MMDEBSTRAP_LIMIT);
            }
            int exit = mmdebstrap.exitValue();
            mmdebstrap = null;
            if (exit != 0) {
                throw new AssertionError("mmdebstrap failed (" + exit + "): " + Files.readString(log));
            }
        }
        return base;
    }

    /** The Debian mirror of this machine's apt sources (the one CI can reach), else deb.debian.org. */
    static String mirror() throws IOException {
        for (Path sources : new Path[] {Path.of("/etc/apt/sources.list.d/debian.sources"), Path.of("/etc/apt/sources.list")}) {
            if (!Files.isReadable(sources)) {
                continue;
            }
            for (String line : Files.readAllLines(sources)) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[0].equals("URIs:") && words[1].endsWith("/debian")) {
                    return words[1];
                }
                if (words.length >= 3 && words[0].equals("deb") && words[1].endsWith("/debian")) {
                    return words[1];
                }
            }
        }
        return "http://deb.debian.org/debian";
    }

    /** A writable copy-on-write view of the base tree (overlayfs, upper layer on disk), removed on close. */
    static final class Overlay implements AutoCloseable {
        final Path root;
        private final Path dir;

        Overlay() throws Exception {
            Path lower = base();
            dir = Files.createTempDirectory(Path.of("/var/tmp"), "gleaner-overlay-");
            for (String sub : new String[] {"upper", "work", "root"}) {
                Files.createDirectories(dir.resolve(sub));
            }
            root = dir.resolve("root");
            Cmd.run(Duration.ofSeconds(30), "mount", "-t", "overlay", "overlay", "-o",
                    "lowerdir=" + lower + ",upperdir=" + dir.resolve("upper") + ",workdir=" + dir.resolve("work"),
                    root.toString()).ok();
        }

        @Override
        public void close() {
            Cmd.run(Duration.ofSeconds(30), "umount", root.toString());
            Cmd.run(Duration.ofMinutes(2), "rm", "-rf", "--one-file-system", dir.toString());
        }
    }
}
