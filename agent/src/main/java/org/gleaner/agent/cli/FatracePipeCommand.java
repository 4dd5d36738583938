package org.gleaner.agent.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Stack;
import java.util.stream.Collectors;
import org.gleaner.agent.filewatch.BatchLoop;
import org.gleaner.agent.filewatch.BatchSink;
import org.gleaner.agent.filewatch.ChangeBatcher;
import org.gleaner.agent.filewatch.ChangeFilter;
import org.gleaner.agent.filewatch.CommandRunner;
import org.gleaner.agent.filewatch.Excludes;
import org.gleaner.agent.filewatch.OwnedFifo;
import org.gleaner.agent.filewatch.PathLines;
import org.gleaner.agent.filewatch.ReaderWatch;
import org.gleaner.agent.filewatch.WatchedRoots;
import org.gleaner.collectors.fanotify.FanotifyWatcher;
import org.gleaner.collectors.fanotify.FileEvent;
import org.gleaner.collectors.text.BytePath;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fatrace-pipe PATH…}: prints each file changed under PATH, debounced, for rebuild loops. See docs/fatrace-pipe.md. */
@Command(name = "fatrace-pipe",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        description = {
            "Prints the path of each file changed under PATH (written and closed, created, moved in), one per line,"
                + " after a burst of changes settles: fatrace-pipe ~/project | xargs -n1 make",
            "Exit status: 0 when the reader of the output went away, 130 on SIGINT, 143 on SIGTERM,"
                + " 1 on failure, 2 on bad usage."})
public final class FatracePipeCommand implements Runnable {

    /** comm is truncated to TASK_COMM_LEN - 1 bytes (proc(5)). */
    private static final int COMM_LENGTH = 15;
    /** An hour: longer delays are surely a mistake (and 10 × debounce must not overflow). */
    private static final long MAX_DELAY_MILLIS = 3_600_000;
    private static final long WATCHED_EVENTS = FileEvent.CLOSE_WRITE | FileEvent.CREATE | FileEvent.MOVED_TO
            | FileEvent.DELETE | FileEvent.MOVED_FROM;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Directories to watch (resolved with realpath).")
    List<String> paths;

    @Option(names = "--events", description = "Also report deletes and moves out.")
    boolean includeGone;

    @Option(names = "--debounce", paramLabel = "MS", defaultValue = "100",
            description = "Report once no change came for MS milliseconds (default ${DEFAULT-VALUE}; 0 = at once).")
    long debounceMillis;

    @Option(names = "--exclude", paramLabel = "GLOB",
            description = "Ignore paths matching GLOB (repeatable; see docs/fatrace-pipe.md).")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--no-default-excludes",
            description = "Do not ignore .git/ and editor swap/backup files (.*.sw?, *~, 4913, .#*, #*#).")
    boolean noDefaultExcludes;

    @Option(names = {"-0", "--null"}, description = "End each path with NUL instead of newline (for xargs -0).")
    boolean nulSeparated;

    @Option(names = "--command", paramLabel = "COMM",
            description = "Only report changes made by processes named COMM (as in /proc/PID/comm).")
    String command;

    @Option(names = "--fifo", paramLabel = "PATH",
            description = "Write to a FIFO at PATH (created safely, mode 0660, removed on exit) instead of stdout.")
    Path fifo;

    @Option(names = "--group", paramLabel = "G", description = "Group of the --fifo (name or number).")
    String group;

    @Option(names = "--cooldown", paramLabel = "MS", defaultValue = "500",
            description = "With --exec: wait MS milliseconds after a run before the next (default ${DEFAULT-VALUE}).")
    long cooldownMillis;

    @Option(names = "--exec", paramLabel = "CMD", arity = "1..*", parameterConsumer = RestOfLine.class,
            description = "Run CMD (all remaining arguments) once per batch, never two at once; the batch's"
                + " paths go to its standard input. Must come last.")
    List<String> exec;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code --exec} takes every argument after it, like find -exec, so CMD's own options need no quoting. */
    static final class RestOfLine implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, CommandLine.Model.ArgSpec argSpec,
                CommandLine.Model.CommandSpec commandSpec) {
            List<String> rest = new ArrayList<>();
            while (!args.isEmpty()) {
                rest.add(args.pop());
            }
            if (rest.isEmpty()) {
                throw new CommandLine.ParameterException(commandSpec.commandLine(), "--exec needs a command");
            }
            argSpec.setValue(rest);
        }
    }

    @Override
    public void run() {
        validate();
        WatchedRoots roots;
        Excludes excludeRules;
        try {
            roots = WatchedRoots.resolve(paths);
            List<String> patterns = new ArrayList<>(noDefaultExcludes ? List.of() : Excludes.DEFAULTS);
            patterns.addAll(excludes);
            excludeRules = Excludes.of(patterns);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PrintStream err = System.err;
        ChangeBatcher batcher = new ChangeBatcher(roots.paths(), includeGone, debounceMillis);
        String comm = command == null || command.length() <= COMM_LENGTH ? command : command.substring(0, COMM_LENGTH);
        ChangeFilter filter = new ChangeFilter(roots, excludeRules, comm, batcher);
        FanotifyWatcher.Options options = new FanotifyWatcher.Options(roots.paths(), FanotifyWatcher.Scope.AUTO,
                WATCHED_EVENTS, Set.of(), true, comm != null, FanotifyWatcher.Options.DEFAULT_BUFFER_BYTES);
        Thread output = Thread.currentThread();
        try (OwnedFifo ownedFifo = fifo == null ? null : createFifo();
                FanotifyWatcher watcher = FanotifyWatcher.start(options, filter)) {
            BatchSink sink = sink(ownedFifo, err);
            if (ownedFifo == null && exec == null) {
                ReaderWatch.start(output::interrupt);
            }
            stopWhenTheWatcherFails(watcher, output);
            err.println(Cli.oneLine("fatrace-pipe: watching " + roots.paths().stream().map(BytePath::toString)
                    .collect(Collectors.joining(" ")) + (ownedFifo == null ? "" : ", writing to " + fifo)
                    + (watcher.scope() == FanotifyWatcher.Scope.TREE ? " (unprivileged: only directories"
                        + " readable by this user, and other users' processes have no name)" : "")));
            BatchLoop.run(batcher, sink, err);
            watcher.failure().ifPresent(failure -> {
                throw new IllegalStateException(failure.getMessage(), failure);
            });
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The reader thread ends only on close or on a failure; a failure must end the run, not hang it. */
    private static void stopWhenTheWatcherFails(FanotifyWatcher watcher, Thread output) {
        Thread monitor = new Thread(() -> {
            try {
                while (!watcher.join(Duration.ofDays(1))) {
                    // keep waiting: the watcher runs until closed
                }
                if (watcher.failure().isPresent()) {
                    output.interrupt();
                }
            } catch (InterruptedException ignored) {
                // exiting
            }
        }, "watcher-monitor");
        monitor.setDaemon(true);
        monitor.start();
    }

    private void validate() {
        CommandLine commandLine = spec.commandLine();
        if (debounceMillis < 0 || debounceMillis > MAX_DELAY_MILLIS || cooldownMillis < 0
                || cooldownMillis > MAX_DELAY_MILLIS) {
            throw new CommandLine.ParameterException(commandLine,
                    "--debounce and --cooldown must be from 0 to " + MAX_DELAY_MILLIS + " (ms)");
        }
        if (group != null && fifo == null) {
            throw new CommandLine.ParameterException(commandLine, "--group needs --fifo");
        }
        if (fifo != null && exec != null) {
            throw new CommandLine.ParameterException(commandLine, "--fifo and --exec exclude each other");
        }
        if (command != null && command.isEmpty()) {
            throw new CommandLine.ParameterException(commandLine, "--command needs a program name");
        }
    }

    private OwnedFifo createFifo() throws IOException {
        OwnedFifo created = OwnedFifo.create(fifo, group);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                created.close();
            } catch (IOException ignored) {
                // exiting anyway; a FIFO left behind is reused by the next run
            }
        }, "fifo-cleanup"));
        return created;
    }

    private BatchSink sink(OwnedFifo ownedFifo, PrintStream err) {
        if (exec != null) {
            CommandRunner runner = new CommandRunner(exec, cooldownMillis, nulSeparated, err);
            Runtime.getRuntime().addShutdownHook(new Thread(runner::stop, "exec-stop"));
            return runner;
        }
        OutputStream out = ownedFifo != null ? ownedFifo.output() : new FileOutputStream(FileDescriptor.out);
        return new PathLines(out, nulSeparated, err);
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new FatracePipeCommand(), args));
    }
}
