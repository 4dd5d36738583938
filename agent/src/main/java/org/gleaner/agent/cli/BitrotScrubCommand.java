package org.gleaner.agent.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gleaner.agent.bitrot.ProgressDisplay;
import org.gleaner.agent.bitrot.ScrubReports;
import org.gleaner.agent.config.Units;
import org.gleaner.collectors.bitrot.DigestAlgorithm;
import org.gleaner.collectors.bitrot.Finding;
import org.gleaner.collectors.bitrot.PathFilter;
import org.gleaner.collectors.bitrot.ScrubCounts;
import org.gleaner.collectors.bitrot.ScrubStore;
import org.gleaner.collectors.bitrot.Scrubber;
import org.gleaner.collectors.bitrot.StoreException;
import org.gleaner.collectors.text.ByteText;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code bitrot-scrub PATH…}: finds silent corruption of file contents over time. See docs/bitrot-scrub.md.
 * Its options are declared through picocli's programmatic model, as ps-mem's are (see PsMemCommand).
 */
public final class BitrotScrubCommand implements Callable<Integer> {
    static final int EXIT_CORRUPT = 1;
    static final int EXIT_DATABASE = 3;
    static final int EXIT_UNREADABLE = 4;

    private final PositionalParamSpec paths = paths("0..*", Path.class, "Directories to scrub.");
    private final DatabaseOption database = new DatabaseOption();
    private final OptionSpec hash = valued("--hash", "NAME", String.class, "Digest for a new database: xxh3-128 (default) or sha256.");
    private final OptionSpec budget = valued("--budget", "DURATION", String.class, "Stop starting new files after DURATION (e.g. 30m).");
    private final OptionSpec percent = valued("--percent", "P", Integer.class, "Verify at most P%% of the baselined bytes this run.");
    private final OptionSpec olderThan = OptionSpec.builder("--older-than").paramLabel("DURATION").type(String.class).defaultValue("0s")
            .description("Verify only files last checked longer ago than DURATION, e.g. 30d (default: all).").build();
    private final OptionSpec rate = valued("--rate", "BYTES/s", String.class, "Read at most this fast, e.g. 50MiB/s.");
    private final OptionSpec fileRate = valued("--file-rate", "N/s", String.class, "Open at most N files per second.");
    private final OptionSpec includes = OptionSpec.builder("--include").paramLabel("GLOB").type(List.class).auxiliaryTypes(String.class)
            .description("Scrub only files matching GLOB (repeatable).").build();
    private final OptionSpec excludes = OptionSpec.builder("--exclude").paramLabel("GLOB").type(List.class).auxiliaryTypes(String.class)
            .description("Skip files and directories matching GLOB (repeatable).").build();
    private final OptionSpec crossFilesystems = Cli.flag("Descend into other filesystems mounted below PATH.", "--cross-filesystems");
    private final OptionSpec normalIo = Cli.flag("Keep the normal I/O priority instead of the idle class.", "--no-idle-io");
    private final DebugOption debug = new DebugOption();
    private final OptionSpec json = Cli.flag("One JSON document on stdout instead of text lines.", "--json");
    private final OptionSpec noProgress = Cli.flag("No progress bar, even on a terminal.", "--no-progress");
    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    public BitrotScrubCommand() {
        spec.name("bitrot-scrub").versionProvider(new Version());
        spec.usageMessage().sortOptions(false).description(
                "Records a digest of every file under PATH, and on later runs verifies them: a file whose content changed"
                    + " while its size, mtime, ctime and inode did not is CORRUPT. Edited files get new digests silently.",
                "Exit status: 0 clean, 1 corruption found (open findings), 2 usage error, 3 database problem,"
                    + " 4 some files could not be read (and no corruption).");
        spec.addPositional(paths);
        Cli.addOptionsAndHelp(spec, database.option, hash, budget, percent, olderThan, rate, fileRate, includes, excludes,
                crossFilesystems, normalIo, debug.option(), json, noProgress);
        spec.addSubcommand("status", new Status().spec);
        spec.addSubcommand("accept", new Accept().spec);
    }

    /** The command's model, for picocli. */
    public CommandSpec spec() {
        return spec;
    }

    private static OptionSpec valued(String name, String paramLabel, Class<?> type, String description) {
        return OptionSpec.builder(name).paramLabel(paramLabel).type(type).description(description).build();
    }

    private static PositionalParamSpec paths(String arity, Class<?> type, String description) {
        return PositionalParamSpec.builder().paramLabel("PATH").arity(arity).type(List.class).auxiliaryTypes(type)
                .description(description).build();
    }

    /** {@code --db FILE}, shared by the subcommands. */
    static final class DatabaseOption {
        final OptionSpec option = valued("--db", "FILE", Path.class,
                "The database (default /var/lib/gleaner/bitrot.db as root, else $XDG_STATE_HOME/gleaner/bitrot.db).");

        Path file() {
            Path db = option.getValue();
            if (db != null) {
                return db.toAbsolutePath();
            }
            if (isRoot()) {
                return Path.of("/var/lib/gleaner/bitrot.db");
            }
            String state = System.getenv("XDG_STATE_HOME");
            String home = System.getenv("HOME");
            Path base = state != null && state.startsWith("/") ? Path.of(state)
                    : Path.of(home != null && home.startsWith("/") ? home : System.getProperty("user.home"), ".local", "state");
            return base.resolve("gleaner").resolve("bitrot.db");
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (Cli.values(paths).isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "a PATH to scrub is required");
        }
        Scrubber.Options options = options();
        Path db = database.file();
        AtomicBoolean stop = new AtomicBoolean();
        StopSignals.install(() -> stop.set(true));
        ScrubCounts counts = new ScrubCounts();
        Scrubber.Report report;
        try (ScrubStore store = ScrubStore.openForWriting(db);
                ProgressDisplay progress = showProgress() ? new ProgressDisplay(System.err) : null) {
            Scrubber.Listener listener = progress != null ? progress : new Scrubber.Listener() {};
            report = new Scrubber(store, options, counts, listener, stop::get, Clock.systemUTC()).run();
        } catch (StoreException e) {
            return databaseProblem(e);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        int exit = !report.findings().isEmpty() ? EXIT_CORRUPT : counts.readErrors.get() > 0 ? EXIT_UNREADABLE : 0;
        PrintStream err = System.err;
        if (Cli.isSet(json)) {
            write(ScrubReports.scrubJson(options.roots(), db.toString(), counts, report, exit));
        } else {
            StringBuilder out = new StringBuilder();
            for (Finding finding : report.findings()) {
                out.append(finding.line()).append('\n');
            }
            write(out.toString());
            for (Scrubber.ReadError error : report.unreadable()) {
                err.println(ScrubReports.readError(error));
            }
            long unlisted = counts.readErrors.get() - report.unreadable().size();
            if (unlisted > 0) {
                err.println("bitrot-scrub: and " + unlisted + " more that could not be read");
            }
        }
        err.println(ScrubReports.summary(counts, report));
        err.flush();
        return exit;
    }

    private boolean showProgress() {
        return !Cli.isSet(noProgress) && !Cli.isSet(json) && System.console() != null;
    }

    private Scrubber.Options options() {
        List<byte[]> roots = new ArrayList<>();
        for (Path path : Cli.<Path>values(paths)) {
            Path real;
            try {
                real = path.toRealPath();
            } catch (IOException e) {
                throw new UsageException(Cli.oneLine(path + ": no such directory"));
            }
            if (!Files.isDirectory(real)) {
                throw new UsageException(Cli.oneLine(path + ": not a directory (bitrot-scrub walks directories)"));
            }
            roots.add(real.toString().getBytes(StandardCharsets.UTF_8));
        }
        String hash = this.hash.getValue();
        String budget = this.budget.getValue();
        String fileRate = this.fileRate.getValue();
        try {
            return new Scrubber.Options(roots, hash == null ? null : DigestAlgorithm.of(hash),
                    budget == null ? null : positive("--budget", Units.duration(budget)),
                    percent(), Units.duration(olderThan.getValue()), rate.getValue() == null ? 0 : rate(),
                    fileRate == null ? 0 : filesPerSecond(fileRate),
                    new PathFilter(Cli.values(includes), Cli.values(excludes)),
                    Cli.isSet(crossFilesystems), !Cli.isSet(normalIo));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private long rate() {
        try {
            return Units.bytesPerSecond(rate.getValue());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--rate: " + e.getMessage());
        }
    }

    private int percent() {
        Integer percent = this.percent.getValue();
        if (percent == null) {
            return 0;
        }
        if (percent < 1 || percent > 100) {
            throw new UsageException("--percent must be from 1 to 100");
        }
        return percent;
    }

    private static Duration positive(String option, Duration value) {
        if (value.isZero()) {
            throw new IllegalArgumentException(option + " must be more than 0");
        }
        return value;
    }

    private static double filesPerSecond(String text) {
        String number = text.endsWith("/s") ? text.substring(0, text.length() - 2) : text;
        try {
            double value = Double.parseDouble(number);
            if (value > 0 && !Double.isInfinite(value)) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--file-rate: not a rate: '" + text + "' (write e.g. 100/s)");
    }

    static int databaseProblem(StoreException e) {
        System.err.println(Cli.oneLine("bitrot-scrub: database " + e.getMessage()));
        System.err.flush();
        return EXIT_DATABASE;
    }

    static void write(String text) {
        try {
            FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
            stdout.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the reader went away: the summary on stderr and the exit status remain
        }
    }

    /** /proc/self belongs to the effective user. */
    static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** {@code bitrot-scrub status [PATH…]}: coverage and open findings. */
    static final class Status implements Callable<Integer> {
        private final PositionalParamSpec paths = paths("0..*", Path.class, "Only files below these directories.");
        private final DatabaseOption database = new DatabaseOption();
        private final OptionSpec days = OptionSpec.builder("--days").paramLabel("N").type(int.class).defaultValue("30")
                .description("\"Verified lately\" means within N days (default ${DEFAULT-VALUE}).").build();
        private final OptionSpec json = Cli.flag("One JSON document.", "--json");
        private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

        Status() {
            spec.name("status").versionProvider(new Version());
            spec.usageMessage().description("Coverage of the files below PATH (default: all): with a baseline, verified lately, never"
                    + " verified, oldest check; and the open findings.", "Exit status: 0, or 1 when there are open findings, 3 database problem.");
            spec.addPositional(paths);
            spec.addOption(database.option);
            spec.addOption(days);
            spec.addOption(json);
            Cli.addStandardHelpOptions(spec);
        }

        @Override
        public Integer call() {
            int days = this.days.getValue();
            if (days < 1) {
                throw new UsageException("--days must be at least 1");
            }
            List<byte[]> roots = new ArrayList<>();
            for (Path path : Cli.<Path>values(paths)) {
                roots.add(path.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            }
            Path db = database.file();
            long now = System.currentTimeMillis();
            try (ScrubStore store = ScrubStore.openForReading(db)) {
                ScrubStore.Coverage coverage = store.coverage(roots, now - days * 86_400_000L);
                List<Finding> findings = store.findings(roots);
                write(Cli.isSet(json) ? ScrubReports.statusJson(db.toString(), coverage, days, findings)
                        : ScrubReports.statusText(coverage, days, now, findings));
                return findings.isEmpty() ? 0 : EXIT_CORRUPT;
            } catch (StoreException e) {
                return databaseProblem(e);
            }
        }
    }

    /** {@code bitrot-scrub accept PATH…}: the file's current content becomes its baseline. */
    static final class Accept implements Callable<Integer> {
        private final PositionalParamSpec paths = PositionalParamSpec.builder().paramLabel("PATH").arity("1..*").required(true)
                .type(List.class).auxiliaryTypes(String.class).description("Files with an open finding.").build();
        private final DatabaseOption database = new DatabaseOption();
        private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

        Accept() {
            spec.name("accept").versionProvider(new Version());
            spec.usageMessage().description("Closes the finding of each corrupt PATH, taking its current content as the new baseline."
                    + " PATH is written as bitrot-scrub prints it (a backslash is \\\\, any other byte \\xNN).",
                    "Exit status: 0 all accepted, 2 a PATH is not a finding, 3 database problem, 4 a file could not be read.");
            spec.addPositional(paths);
            spec.addOption(database.option);
            Cli.addStandardHelpOptions(spec);
        }

        @Override
        public Integer call() throws InterruptedException {
            List<byte[]> files = new ArrayList<>();
            for (String path : Cli.<String>values(paths)) {
                try {
                    files.add(absolute(ByteText.parse(path)));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(Cli.oneLine(path + ": " + e.getMessage()));
                }
            }
            int exit = 0;
            try (ScrubStore store = ScrubStore.openForWriting(database.file())) {
                for (byte[] file : files) {
                    String shown = ByteText.human(file);
                    try {
                        Scrubber.Acceptance result = Scrubber.accept(store, file, Clock.systemUTC());
                        System.err.println("bitrot-scrub: " + shown + " " + result.text());
                        if (result != Scrubber.Acceptance.ACCEPTED) {
                            exit = Math.max(exit, Cli.EXIT_USAGE);
                        }
                    } catch (Scrubber.ReadFailure e) {
                        System.err.println("bitrot-scrub: cannot read " + shown + ": " + e.getMessage());
                        exit = Math.max(exit, EXIT_UNREADABLE);
                    }
                }
            } catch (StoreException e) {
                return databaseProblem(e);
            }
            System.err.flush();
            return exit;
        }

        /** Relative to the working directory, with "." and ".." resolved by name (as the scrub printed it). */
        private static byte[] absolute(byte[] path) {
            byte[] full = path;
            if (path.length == 0 || path[0] != '/') {
                byte[] cwd = Path.of("").toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
                full = new byte[cwd.length + 1 + path.length];
                System.arraycopy(cwd, 0, full, 0, cwd.length);
                full[cwd.length] = '/';
                System.arraycopy(path, 0, full, cwd.length + 1, path.length);
            }
            List<byte[]> parts = new ArrayList<>();
            int start = 1;
            for (int i = 1; i <= full.length; i++) {
                if (i == full.length || full[i] == '/') {
                    byte[] part = java.util.Arrays.copyOfRange(full, start, i);
                    if (part.length == 2 && part[0] == '.' && part[1] == '.') {
                        if (!parts.isEmpty()) {
                            parts.remove(parts.size() - 1);
                        }
                    } else if (part.length > 0 && !(part.length == 1 && part[0] == '.')) {
                        parts.add(part);
                    }
                    start = i + 1;
                }
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(full.length);
            for (byte[] part : parts) {
                out.write('/');
                out.write(part, 0, part.length);
            }
            return out.size() == 0 ? new byte[] {'/'} : out.toByteArray();
        }
    }

    /** The program, for its main method and for packaging/build's man page and completion. */
    public static CommandLine commandLine() {
        return new CommandLine(new BitrotScrubCommand().spec());
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(commandLine(), args));
    }
}
