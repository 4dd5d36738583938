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
import org.gleaner.collectors.fanotify.FanotifyException;
import org.gleaner.collectors.fanotify.FanotifyWatcher;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.fanotify.FileEvent;
import org.gleaner.collectors.text.BytePath;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code fatrace-pipe PATH…}: prints each file changed under PATH, debounced, for rebuild loops. See docs/fatrace-pipe.md.
 * Declared through picocli's programmatic model, as every gleaner tool is (see {@link PsMemCommand}).
 */
public final class FatracePipeCommand implements Runnable {

    /** An hour: longer delays are surely a mistake (and 10 × debounce must not overflow). */
    private static final long MAX_DELAY_MILLIS = 3_600_000;
    private static final long WATCHED_EVENTS = FileEvent.CLOSE_WRITE | FileEvent.CREATE | FileEvent.MOVED_TO
            | FileEvent.DELETE | FileEvent.MOVED_FROM;

    private final PositionalParamSpec pathsParameter = PositionalParamSpec.builder().paramLabel("PATH").arity("1..*").required(true)
            .type(List.class).auxiliaryTypes(String.class).description("Directories to watch (resolved with realpath).").build();
    private final OptionSpec eventsOption = Cli.flag("Also report deletes and moves out.", "--events");
    private final OptionSpec debounceOption = OptionSpec.builder("--debounce").paramLabel("MS").type(long.class).defaultValue("100")
            .description("Report once no change came for MS milliseconds (default ${DEFAULT-VALUE}; 0 = at once).").build();
    private final OptionSpec excludeOption = OptionSpec.builder("--exclude").paramLabel("GLOB").type(List.class)
            .auxiliaryTypes(String.class).description("Ignore paths matching GLOB (repeatable; see docs/fatrace-pipe.md).").build();
    private final OptionSpec noDefaultExcludesOption = Cli.flag(
            "Do not ignore .git/ and editor swap/backup files (.*.sw?, *~, 4913, .#*, #*#).", "--no-default-excludes");
    private final OptionSpec nullOption = Cli.flag("End each path with NUL instead of newline (for xargs -0).", "-0", "--null");
    private final OptionSpec commandOption = OptionSpec.builder("-C", "--command").paramLabel("COMM").type(String.class)
            .description("Only report changes made by processes named COMM (as in /proc/PID/comm).").build();
    private final OptionSpec fifoOption = OptionSpec.builder("--fifo").paramLabel("PATH").type(Path.class)
            .description("Write to a FIFO at PATH (created safely, mode 0660, removed on exit) instead of stdout.").build();
    private final OptionSpec groupOption = OptionSpec.builder("--group").paramLabel("G").type(String.class)
            .description("Group of the --fifo (name or number).").build();
    private final OptionSpec cooldownOption = OptionSpec.builder("--cooldown").paramLabel("MS").type(long.class).defaultValue("500")
            .description("With --exec: wait MS milliseconds after a run before the next (default ${DEFAULT-VALUE}).").build();
    private final OptionSpec execOption = OptionSpec.builder("--exec").paramLabel("CMD").arity("1..*").type(List.class)
            .auxiliaryTypes(String.class).parameterConsumer(new RestOfLine())
            .description("Run CMD (all remaining arguments) once per batch, never two at once; the batch's"
                + " paths go to its standard input. Must come last.").build();
    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    private boolean includeGone;
    private long debounceMillis;
    private boolean nulSeparated;
    private Path fifo;
    private long cooldownMillis;
    private List<String> exec;

    public FatracePipeCommand() {
        spec.name("fatrace-pipe").versionProvider(new Version());
        spec.usageMessage().sortOptions(false).description(
                "Prints the path of each file changed under PATH (written and closed, created, moved in), one per line,"
                    + " after a burst of changes settles; e.g. fatrace-pipe ~/project --exec make -C ~/project rebuilds once per burst.",
                "Exit status: 0 when the reader of the output went away, 130 on SIGINT, 143 on SIGTERM,"
                    + " 1 on failure, 2 on bad usage.");
        spec.addPositional(pathsParameter);
        Cli.addOptionsAndHelp(spec, eventsOption, debounceOption, excludeOption, noDefaultExcludesOption, nullOption,
                new DebugOption().option(), commandOption, fifoOption, groupOption, cooldownOption, execOption);
    }

    /** The command's model, for picocli. */
    public CommandSpec spec() {
        return spec;
    }

    /** The program, for its main method and for packaging/build's man page and completion. */
    public static CommandLine commandLine() {
        return new CommandLine(new FatracePipeCommand().spec());
    }

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
        includeGone = Cli.isSet(eventsOption);
        debounceMillis = debounceOption.getValue();
        nulSeparated = Cli.isSet(nullOption);
        fifo = fifoOption.getValue();
        cooldownMillis = cooldownOption.getValue();
        exec = execOption.getValue();
        validate();
        WatchedRoots roots;
        Excludes excludeRules;
        try {
            roots = WatchedRoots.resolve(Cli.values(pathsParameter));
            List<String> patterns = new ArrayList<>(Cli.isSet(noDefaultExcludesOption) ? List.of() : Excludes.DEFAULTS);
            patterns.addAll(Cli.values(excludeOption));
            excludeRules = Excludes.of(patterns);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PrintStream err = System.err;
        ChangeBatcher batcher = new ChangeBatcher(roots.paths(), includeGone, debounceMillis);
        String comm = ProcessNameOption.parse("fatrace-pipe", commandOption.getValue(), err);
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
        } catch (FanotifyException e) {
            if (e.errno() == Fanotify.ENODEV || e.errno() == Fanotify.EOPNOTSUPP) {
                throw new UsageException(e.getMessage() + "; fatrace-pipe watches directories on filesystems that"
                        + " do (ext4, xfs, btrfs, tmpfs...)");
            }
            throw e;
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
        if (groupOption.getValue() != null && fifo == null) {
            throw new CommandLine.ParameterException(commandLine, "--group needs --fifo");
        }
        if (fifo != null && exec != null) {
            throw new CommandLine.ParameterException(commandLine, "--fifo and --exec exclude each other");
        }
        if (exec == null && commandLine.getParseResult().hasMatchedOption("--cooldown")) {
            throw new CommandLine.ParameterException(commandLine, "--cooldown needs --exec");
        }
        if (exec != null) {
            try {
                CommandRunner.checkStartable(exec.get(0));
            } catch (IllegalArgumentException notStartable) {
                throw new CommandLine.ParameterException(commandLine, notStartable.getMessage());
            }
        }
    }

    private OwnedFifo createFifo() throws IOException {
        OwnedFifo created = OwnedFifo.create(fifo, groupOption.getValue());
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
        System.exit(Cli.execute(commandLine(), args));
    }
}
