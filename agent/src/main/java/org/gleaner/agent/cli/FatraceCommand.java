package org.gleaner.agent.cli;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.gleaner.agent.fatrace.EventFormat;
import org.gleaner.agent.fatrace.Fatrace;
import org.gleaner.agent.fatrace.Mounts;
import org.gleaner.agent.filewatch.ReaderWatch;
import org.gleaner.collectors.fanotify.FanotifyException;
import org.gleaner.collectors.fanotify.FanotifyWatcher;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Options;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Scope;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.text.BytePath;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import sun.misc.Signal;

/**
 * {@code fatrace}: every file access on the machine (or on the current filesystem), as it happens.
 * Declared through picocli's programmatic model, as every gleaner tool is (see {@link PsMemCommand}).
 */
public final class FatraceCommand implements Callable<Integer> {
    private final OptionSpec currentMountOption = Cli.flag("Only events on the filesystem of the current directory.",
            "-c", "--current-mount");
    private final OptionSpec outputOption = OptionSpec.builder("-o", "--output").paramLabel("FILE").type(Path.class)
            .description("Write events to FILE (must not exist) instead of standard output.").build();
    private final OptionSpec secondsOption = OptionSpec.builder("-s", "--seconds").paramLabel("N").type(Integer.class)
            .description("Stop after N seconds.").build();
    private final OptionSpec timestampOption = OptionSpec.builder("-t", "--timestamp").type(boolean[].class).arity("0")
            .description("Prefix the time of day; give twice for seconds since the epoch.").build();
    private final OptionSpec ignoredPidsOption = OptionSpec.builder("-p", "--ignore-pid").paramLabel("PID").type(List.class)
            .auxiliaryTypes(Integer.class).description("Ignore events of this process (repeatable).").build();
    private final OptionSpec filterOption = OptionSpec.builder("-f", "--filter").paramLabel("TYPES").type(String.class)
            .description("Only these event types, e.g. -f W or -f '+D<>'.").build();
    private final OptionSpec commandOption = OptionSpec.builder("-C", "--command").paramLabel("COMM").type(String.class)
            .description("Only events of processes named COMM.").build();
    private final OptionSpec jsonOption = Cli.flag("One JSON object per line: timestamp (with -t), comm, pid, types, path.", "--json");
    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    private Path output;
    private Integer seconds;
    private String onlyCommand;

    public FatraceCommand() {
        spec.name("fatrace").versionProvider(new Version());
        spec.usageMessage().sortOptions(false).description(
                "Reports file access events system wide (root): one line per event, 'comm(pid): TYPES path'.",
                "Types: R read, C close, W write, O open, + create, D delete, < moved from, > moved to;"
                    + " create/delete/move lines name the entry itself.",
                "Names print as bytes: printable UTF-8 as is, backslash as \\\\, any other byte as \\xNN.");
        Cli.addOptionsAndHelp(spec, currentMountOption, outputOption, secondsOption, timestampOption, ignoredPidsOption,
                filterOption, new DebugOption().option(), commandOption, jsonOption);
    }

    /** The command's model, for picocli. */
    public CommandSpec spec() {
        return spec;
    }

    /** The program, for its main method and for packaging/build's man page and completion. */
    public static CommandLine commandLine() {
        return new CommandLine(new FatraceCommand().spec());
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(commandLine(), args));
    }

    @Override
    public Integer call() throws Exception {
        output = outputOption.getValue();
        seconds = secondsOption.getValue();
        Options options = options();
        EventFormat format = new EventFormat(timestampMode(), Cli.isSet(jsonOption));
        try (OutputStream out = openOutput()) {
            Fatrace fatrace = new Fatrace(format, onlyCommand, out, System.err);
            FanotifyWatcher watcher = startOrRemoveOutput(options, fatrace);
            Signal.handle(new Signal("INT"), signal -> watcher.close());
            Signal.handle(new Signal("TERM"), signal -> watcher.close());
            if (output == null) {
                ReaderWatch.start(watcher::close);
            }
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
                        + " their files (a FUSE or NFS mount watched without file handles)");
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
        if (timestamps() > 2) {
            throw new UsageException("--timestamp can be given at most twice");
        }
        List<Integer> ignoredPids = Cli.values(ignoredPidsOption);
        for (int pid : ignoredPids) {
            if (pid <= 0) {
                throw new UsageException("--ignore-pid needs a positive process id, not " + pid);
            }
        }
        onlyCommand = ProcessNameOption.parse("fatrace", commandOption.getValue(), System.err);
        String filter = filterOption.getValue();
        long events = FanotifyWatcher.ALL_EVENTS;
        if (filter != null) {
            try {
                events = EventFormat.filterMask(filter);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        List<BytePath> paths = Cli.isSet(currentMountOption) ? List.of(BytePath.ofArgument(".")) : Mounts.deviceBacked(Path.of("/proc/self/mountinfo"));
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
                if (e.errno() == Fanotify.EPERM) {
                    throw new IllegalStateException(e.getMessage() + "; run fatrace as root (to follow a directory"
                            + " tree you can read without root, use fatrace-pipe DIR)", e);
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
        return switch (timestamps()) {
            case 0 -> EventFormat.Timestamp.NONE;
            case 1 -> EventFormat.Timestamp.TIME_OF_DAY;
            default -> EventFormat.Timestamp.EPOCH;
        };
    }

    private int timestamps() {
        boolean[] given = timestampOption.getValue();
        return given == null ? 0 : given.length;
    }

    private OutputStream openOutput() throws IOException {
        if (output == null) {
            return new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        }
        try {
            // a log of every file access on the machine is for its owner only
            return new BufferedOutputStream(Channels.newOutputStream(Files.newByteChannel(output, Set.of(
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))), 1 << 16);
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
