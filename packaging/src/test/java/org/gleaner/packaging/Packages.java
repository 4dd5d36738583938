package org.gleaner.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Requirements;

/**
 * The packages of this build, made once per test run by {@code packaging/build --prebuilt} (the jar of
 * this reactor build) into a temporary directory.
 */
final class Packages {
    static final Path REPO = Requirements.repoRoot();
    static final Duration BUILD_LIMIT = Duration.ofMinutes(10);
    private static Packages built;

    final Path dist;
    final Path deb;
    final Path raw;
    final Path sysextDir;

    private Packages(Path dist, List<String> printed) {
        this.dist = dist;
        this.deb = Path.of(printed.get(0));
        this.raw = Path.of(printed.get(1));
        this.sysextDir = Path.of(printed.get(2));
    }

    static synchronized Packages built() {
        if (built == null) {
            if (Requirements.isRoot() && Requirements.findOnPath("mmdebstrap") != null) {
                DebianTree.startBuilding(); // in parallel: the booted tests need both
            }
            built = build(temporaryDirectory("gleaner-dist-"));
        }
        return built;
    }

    static Packages build(Path dist) {
        for (String tool : List.of("asciidoctor", "dpkg-deb", "jlink", "mksquashfs", "strip")) {
            Requirements.requireTool(tool);
        }
        Cmd.Result result = Cmd.run(BUILD_LIMIT, REPO.resolve("packaging/build").toString(), "--prebuilt", dist.toString()).ok();
        List<String> printed = result.stdout().lines().toList();
        if (printed.size() != 3) {
            throw new AssertionError("packaging/build printed " + printed);
        }
        return new Packages(dist, printed);
    }

    /** Only the .deb, built again into {@code dist}. */
    static Path debOnly(Path dist) {
        Cmd.Result result = Cmd.run(BUILD_LIMIT, REPO.resolve("packaging/build").toString(), "--prebuilt", "--deb-only",
                dist.toString()).ok();
        return Path.of(result.stdout().strip());
    }

    /** The sysext image's name: its file name without .raw, which is also its extension-release suffix. */
    String sysextName() {
        return sysextDir.getFileName().toString();
    }

    static Path temporaryDirectory(String prefix) {
        try {
            Path dir = Files.createTempDirectory(Path.of("/var/tmp"), prefix);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Cmd.run(Duration.ofMinutes(2), "rm", "-rf", dir.toString())));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
