package org.gleaner.packaging;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.Cmd;

/**
 * A tree booted with systemd as PID 1 in {@code systemd-nspawn -b} (the flags that work without a host
 * systemd: no registration, the caller's scope, a private network with only lo). Commands run inside
 * through nsenter into all of the container init's namespaces.
 */
final class BootedSystem implements AutoCloseable {
    static final Duration BOOT_LIMIT = Duration.ofSeconds(90);
    static final Duration COMMAND_LIMIT = Duration.ofMinutes(5);
    private final Process nspawn;
    private final Path console;
    private final long init;

    private BootedSystem(Process nspawn, Path console, long init) {
        this.nspawn = nspawn;
        this.console = console;
        this.init = init;
    }

    /** Boots {@code root} and returns once {@code systemctl is-system-running} says running. */
    static BootedSystem boot(Path root) throws Exception {
        Path console = Files.createTempFile("gleaner-nspawn", ".log");
        Process nspawn = new ProcessBuilder("systemd-nspawn", "-q", "--register=no", "--keep-unit", "--private-network",
                "-D", root.toString(), "-b", "--console=passive")
                .redirectErrorStream(true)
                .redirectOutput(console.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        long deadline = System.nanoTime() + BOOT_LIMIT.toNanos();
        Optional<ProcessHandle> init = Optional.empty();
        while (init.isEmpty()) {
            if (!nspawn.isAlive() || System.nanoTime() - deadline > 0) {
                nspawn.destroyForcibly();
                throw new AssertionError("systemd-nspawn did not start systemd: " + Files.readString(console));
            }
            Thread.sleep(100);
            init = nspawn.children().filter(child -> child.info().command().orElse("").endsWith("/systemd")).findFirst();
        }
        BootedSystem system = new BootedSystem(nspawn, console, init.get().pid());
        String state = "";
        while (!state.equals("running")) {
            if (System.nanoTime() - deadline > 0 || state.equals("degraded")) {
                String failed = system.run("systemctl", "--failed", "--no-legend").stdout();
                system.close();
                throw new AssertionError("the booted tree is " + state + "; failed units: " + failed);
            }
            Thread.sleep(100);
            // early on: "Failed to connect to bus"; --wait returns once start-up has finished
            state = system.run("systemctl", "is-system-running", "--wait").stdout().strip();
        }
        return system;
    }

    /** The host path of the container's network namespace (for a carbon-cache listening on its lo). */
    Path networkNamespace() {
        return Path.of("/proc/" + init + "/ns/net");
    }

    Cmd.Result run(String... command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(init), "-a"));
        full.addAll(List.of(command));
        return Cmd.run(COMMAND_LIMIT, full, null);
    }

    /** Runs a shell command line inside; fails the test unless it exits 0. */
    String sh(String commandLine) {
        return run("sh", "-c", commandLine).ok().stdout();
    }

    /** {@code systemctl show -p NAME --value UNIT}. */
    String property(String unit, String name) {
        return run("systemctl", "show", "-p", name, "--value", unit).ok().stdout().strip();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("systemctl", "poweroff", "--no-block");
            if (!nspawn.waitFor(60, TimeUnit.SECONDS)) {
                nspawn.descendants().forEach(ProcessHandle::destroyForcibly);
                nspawn.destroyForcibly();
                nspawn.waitFor(20, TimeUnit.SECONDS);
            }
        } finally {
            Files.deleteIfExists(console);
        }
    }
}
