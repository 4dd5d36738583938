package org.gleaner.collectors.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The captured and constructed cgroup trees under src/test/resources/cgroup. They are read from the
 * source tree, not the class path: resource copying turns their sysfs symlinks into directories.
 */
final class Fixtures {
    private Fixtures() {}

    static Path root(String layout) {
        Path root = Path.of("src/test/resources/cgroup", layout).toAbsolutePath();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("no fixture tree " + root);
        }
        return root;
    }

    /** A writable copy of a fixture tree (symlinks kept as symlinks), for tests that change it. */
    static Path copy(String layout, Path target) throws IOException {
        Path source = root(layout);
        try (Stream<Path> all = Files.walk(source)) {
            all.forEach(from -> {
                Path to = target.resolve(source.relativize(from).toString());
                try {
                    if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return target;
    }

    static CgroupCollector collector(Path root) {
        return collector(root, List.of(), List.of(), CgroupCollector.Settings.DEFAULT_MAX_UNITS);
    }

    static CgroupCollector collector(Path root, List<String> include, List<String> exclude, int maxUnits) {
        return new CgroupCollector(new CgroupCollector.Settings(root, include, exclude, maxUnits, false));
    }

    static RecordingSink collectOnce(CgroupCollector collector) throws IOException {
        RecordingSink sink = new RecordingSink();
        collector.collect(sink);
        return sink;
    }
}
