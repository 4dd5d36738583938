package org.gleaner.agent.cli;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.gleaner.agent.fatrace.EventFormat;
import org.gleaner.agent.fatrace.Fatrace;
import org.gleaner.agent.fatrace.Mounts;
import org.gleaner.collectors.fanotify.FanotifyException;
import org.gleaner.collectors.fanotify.FanotifyWatcher;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Options;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Scope;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.text.BytePath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code fatrace}: every file access on the machine (or on the current filesystem), as it happens. */
@Command(name = "fatrace",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        description = {"Report file access events system wide (root): one line per event,",
                "'comm(pid): TYPES path'. Types: R read, C close, W write, O open, + create, D delete,",
                "< moved from, > moved to; create/delete/move lines name the entry itself.",
                "Names print as bytes: printable UTF-8 as is, backslash as \\\\, any other byte as \\xNN."})
public final class FatraceCommand implements Callable<Integer> {

    @Option(names = {"-c", "--current-mount"}, description = "Only events on the filesystem of the current directory.")
    boolean currentMount;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write events to FILE (must not exist) instead of standard output.")
    Path output;

    @Option(names = {"-s", "--seconds"}, paramLabel = "N", description = "Stop after N seconds.")
    Integer seconds;

    @Option(names = {"-t", "--timestamp"}, description = "Prefix the time of day; give twice for seconds since the epoch.")
    boolean[] timestamp = new boolean[0];

    @Option(names = {"-p", "--ignore-pid"}, paramLabel = "PID", description = "Ignore events of this process (repeatable).")
    List<Integer> ignoredPids = new ArrayList<>();

    @Option(names = {"-f", "--filter"}, paramLabel = "TYPES", description = "Only these event types, e.g. -f W or -f '+D<>'.")
    String filter;

    @Option(names = {"-C", "--command"}, paramLabel = "COMM", description = "Only events of processes named COMM.")
    String command;

    @Option(names = "--json", description = "One JSON object per line: timestamp (with -t), comm, pid, types, path.")
    boolean json;

    public static void main(String[] args) {
        System.exit(Cli.execute(new FatraceCommand(), args));
    }

    @Override
    public Integer call() throws Exception {
        Options options = options();
        EventFormat format = new EventFormat(timestampMode(), json);
        try (OutputStream out = openOutput()) {
            Fatrace fatrace = new Fatrace(format, command, out, System.err);
            FanotifyWatcher watcher = startOrRemoveOutput(options, fatrace);
            Signal.handle(new Signal("INT"), signal -> watcher.close());
            Signal.handle(new Signal("TERM"), signal -> watcher.close());
            watcher.join(seconds == null ? Duration.ofMillis(Long.MAX_VALUE) : Duration.ofSeconds(seconds));
            watcher.close();
            if (watcher.failure().isPresent()) {
                Throwable failure = watcher.failure().get();
                if (isBrokenPipe(failure)) {
                    return 0;
                }
                throw failure instanceof Exception exception ? exception : new IllegalStateException(failure);
            }
            out.flush();
            if (watcher.unopenableEvents() > 0) {
                System.err.println("fatrace: " + watcher.unopenableEvents() + " event(s) lost: the kernel could not open"
                        + " their files (mount mode on FUSE or NFS)");
            }
            if (fatrace.overflows() > 0) {
                System.err.println("fatrace: " + fatrace.overflows() + " queue overflow(s): some events were not reported");
            }
            return 0;
        } catch (IOException | UncheckedIOException e) {
            // the reader of our output went away (fatrace | head): also when closing flushes the rest
            if (isBrokenPipe(e)) {
                return 0;
            }
            throw e;
        }
    }

    private Options options() throws IOException {
        if (seconds != null && seconds <= 0) {
            throw new UsageException("--seconds must be a positive number of seconds, not " + seconds);
        }
        if (timestamp.length > 2) {
            throw new UsageException("--timestamp can be given at most twice");
        }
        for (int pid : ignoredPids) {
            if (pid <= 0) {
                throw new UsageException("--ignore-pid needs a positive process id, not " + pid);
            }
        }
        long events = FanotifyWatcher.ALL_EVENTS;
        if (filter != null) {
            try {
                events = EventFormat.filterMask(filter);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        List<BytePath> paths = currentMount ? List.of(BytePath.ofArgument(".")) : Mounts.deviceBacked(Path.of("/proc/self/mountinfo"));
        return new Options(paths, Scope.FILESYSTEM, events, Set.copyOf(ignoredPids),
                false, true, Options.DEFAULT_BUFFER_BYTES);
    }

    /** A watcher that cannot start leaves no empty --output file behind. */
    private FanotifyWatcher startOrRemoveOutput(Options options, Fatrace fatrace) throws IOException {
        try {
            return start(options, fatrace);
        } catch (RuntimeException e) {
            if (output != null) {
                Files.deleteIfExists(output);
            }
            throw e;
        }
    }

    /**
     * Without -c, a mount that cannot be marked (FUSE, a btrfs subvolume...) is left out with a warning,
     * as fatrace does. With -c, a filesystem without file handles is watched through a mount mark in
     * fd mode instead (no create/delete/rename events), with a warning.
     */
    private static FanotifyWatcher start(Options options, Fatrace fatrace) {
        Options current = options;
        while (true) {
            try {
                return FanotifyWatcher.start(current, fatrace);
            } catch (FanotifyException e) {
                BytePath failed = e.path().orElse(null);
                if (current.paths().size() == 1 && current.scope() == Scope.FILESYSTEM && lacksFileHandles(e)) {
                    System.err.println("fatrace: warning: " + Cli.oneLine(e.getMessage())
                            + "; watching its mount without create/delete/rename events instead");
                    current = current.withScope(Scope.MOUNT);
                    continue;
                }
                if (failed == null || !current.paths().contains(failed) || current.paths().size() == 1
                        || failed.equals(BytePath.ROOT)) {
                    throw e;
                }
                System.err.println("fatrace: warning: " + Cli.oneLine(e.getMessage()) + "; leaving it out");
                List<BytePath> rest = new ArrayList<>(current.paths());
                rest.remove(failed);
                current = new Options(rest, current.scope(), current.events(), current.ignoredPids(),
                        current.onlyUnderPaths(), current.resolveComm(), current.bufferBytes());
            }
        }
    }

    private static boolean lacksFileHandles(FanotifyException e) {
        int errno = e.errno();
        return errno == Fanotify.ENODEV || errno == Fanotify.EXDEV
                || errno == Fanotify.EOPNOTSUPP;
    }

    private EventFormat.Timestamp timestampMode() {
        return switch (timestamp.length) {
            case 0 -> EventFormat.Timestamp.NONE;
            case 1 -> EventFormat.Timestamp.TIME_OF_DAY;
            default -> EventFormat.Timestamp.EPOCH;
        };
    }

    private OutputStream openOutput() throws IOException {
        if (output == null) {
            return new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        }
        try {
            return new BufferedOutputStream(Files.newOutputStream(output, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), 1 << 16);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException("--output " + output + " already exists; fatrace does not overwrite files");
        }
    }

    private static boolean isBrokenPipe(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException && String.valueOf(cause.getMessage()).contains("Broken pipe")) {
                return true;
            }
        }
        return false;
    }
}
