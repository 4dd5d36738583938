package org.gleaner.agent.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.gleaner.agent.psmem.JsonReport;
import org.gleaner.agent.psmem.OutlineReport;
import org.gleaner.agent.psmem.PsMemQuery;
import org.gleaner.agent.psmem.SummaryReport;
import org.gleaner.agent.psmem.Tracked;
import org.gleaner.collectors.smaps.MemoryGroup;
import org.gleaner.collectors.smaps.MemoryGroups;
import org.gleaner.collectors.smaps.MemoryScanner;
import org.gleaner.collectors.smaps.MemorySnapshot;
import org.gleaner.collectors.smaps.SmapsSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code ps-mem}: which processes use how much RAM and swap, by command, process and mapping (docs/ps-mem.md).
 * Its options are declared through picocli's programmatic model, not annotations: reading annotations
 * costs a short-lived tool about 40 ms at every start (the JDK builds a proxy class per annotation
 * type, and picocli inspects every member of the class), more than the rest of its option parsing
 * (bench/startup.sh).
 */
public final class PsMemCommand implements Callable<Integer> {
    private final PositionalParamSpec name = PositionalParamSpec.builder().arity("0..1").paramLabel("name").type(String.class)
            .description("Only processes whose command, executable or command line holds this text.").build();
    private final OptionSpec privateOnly = Cli.flag("Track only private memory (for -n).", "-p", "--private");
    private final OptionSpec swapOnly = Cli.flag("Track only swapped-out memory (for -n).", "-s", "--swap");
    private final OptionSpec minKib = OptionSpec.builder("-n", "--min-val").paramLabel("KiB").type(Double.class)
            .description("Hide every group, process and mapping whose tracked memory is not above KiB.").build();
    private final OptionSpec flat = Cli.flag("Flat output, one 'path.key: value' line each.", "-f", "--flat");
    private final OptionSpec json = Cli.flag("One JSON document, all figures in bytes.", "--json");
    private final OptionSpec summary = Cli.flag("A ps_mem-style table per command (reads smaps_rollup).", "--summary");
    private final OptionSpec pidList = OptionSpec.builder("--pid").splitRegex(",").paramLabel("PID").type(List.class)
            .auxiliaryTypes(Integer.class).description("Only these processes.").build();
    /** Also says what was read and how long it took. */
    private final DebugOption debug = new DebugOption();
    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    private List<Integer> pids;

    public PsMemCommand() {
        spec.name("ps-mem").versionProvider(new Version());
        spec.usageMessage().sortOptions(false).description("Detailed process memory accounting: private, shared and swapped-out memory"
                + " by command, process and mapping, read from /proc/PID/smaps.");
        spec.addPositional(name);
        spec.addArgGroup(ArgGroupSpec.builder().exclusive(true).addArg(privateOnly).addArg(swapOnly).build());
        spec.addOption(minKib);
        spec.addArgGroup(ArgGroupSpec.builder().exclusive(true).addArg(flat).addArg(json).addArg(summary).build());
        spec.addOption(pidList);
        spec.addOption(debug.option());
        Cli.addStandardHelpOptions(spec);
    }

    /** The command's model, for picocli. */
    public CommandSpec spec() {
        return spec;
    }

    /** The program, for its main method and for packaging/build's man page and completion. */
    public static CommandLine commandLine() {
        return new CommandLine(new PsMemCommand().spec());
    }

    private Tracked tracked() {
        return Cli.isSet(privateOnly) ? Tracked.PRIVATE : Cli.isSet(swapOnly) ? Tracked.SWAP : Tracked.ALL;
    }

    @Override
    public Integer call() throws IOException {
        Double minKib = this.minKib.getValue();
        String name = this.name.getValue();
        pids = pidList.getValue();
        if (minKib != null && (minKib < 0 || minKib.isNaN() || minKib.isInfinite())) {
            throw new UsageException("--min-val must be a number of KiB, 0 or more");
        }
        long started = System.nanoTime();
        SmapsSource source = Cli.isSet(summary) ? SmapsSource.ROLLUP : SmapsSource.SMAPS;
        MemoryScanner scanner = new MemoryScanner(MemoryScanner.Options.defaults(source));
        MemorySnapshot snapshot = scanner.scan(selectedPids(scanner));
        long read = System.nanoTime();

        PsMemQuery query = new PsMemQuery(tracked(), minKib == null ? -1 : (long) (minKib * 1024), name);
        MemoryGroups all = MemoryGroups.of(snapshot.processes());
        List<MemoryGroup> shown = query.select(all);
        // built whole, then written at once: cheaper than many small appends to a synchronized Writer
        StringBuilder out = new StringBuilder(1 << 16);
        if (Cli.isSet(json)) {
            new JsonReport(out).write(shown, all, query, snapshot);
        } else if (Cli.isSet(summary)) {
            new SummaryReport(out).write(shown);
        } else {
            new OutlineReport(out, Cli.isSet(flat)).write(shown, all, query);
        }
        FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
        try {
            stdout.write(out.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            if ("Broken pipe".equals(e.getMessage())) {
                return 0; // the reader (head, less) has seen enough: not an error
            }
            throw e;
        }
        report(snapshot, started, read);
        return selectedAny(snapshot, query, all) ? 0 : Cli.EXIT_FAILURE;
    }

    /**
     * Like ps -p and pgrep: a selection that matched no process is a failure, said on stderr
     * ({@link #report} has named the pids that are no user process or could not be read).
     */
    private boolean selectedAny(MemorySnapshot snapshot, PsMemQuery query, MemoryGroups all) {
        if (pids != null && snapshot.processes().isEmpty()) {
            return false;
        }
        if (!query.nameMatchesAny(all)) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(Cli.oneLine("ps-mem: no process matches '" + name.getValue() + "'"));
            err.flush();
            return false;
        }
        return true;
    }

    private int[] selectedPids(MemoryScanner scanner) {
        long self = ProcessHandle.current().pid();
        if (pids == null) {
            return Arrays.stream(scanner.listPids()).filter(pid -> pid != self).toArray();
        }
        Set<Integer> unique = new TreeSet<>(pids);
        for (int pid : unique) {
            if (pid <= 0) {
                throw new UsageException("--pid: not a process id: " + pid);
            }
        }
        return unique.stream().mapToInt(Integer::intValue).toArray();
    }

    private void report(MemorySnapshot snapshot, long started, long read) {
        PrintWriter err = spec.commandLine().getErr();
        if (pids != null) {
            Set<Integer> missing = new TreeSet<>(pids);
            snapshot.processes().forEach(process -> missing.remove(process.pid()));
            if (!missing.isEmpty() && snapshot.denied() == 0) {
                StringJoiner list = new StringJoiner(",");
                missing.forEach(pid -> list.add(Integer.toString(pid)));
                err.println("ps-mem: no such user process: " + list);
            }
        }
        if (snapshot.denied() > 0) {
            err.println("ps-mem: could not read " + processes(snapshot.denied()) + " (permission denied"
                    + (isRoot() ? ")" : ": run as root to see other users' processes)"));
        }
        if (snapshot.overBudget() > 0) {
            err.println("ps-mem: gave up on " + processes(snapshot.overBudget()) + " that took too long to read");
        }
        if (debug.enabled()) {
            long mappings = snapshot.processes().stream().mapToLong(process -> process.mappings().size()).sum();
            err.printf("ps-mem: read %d processes (%d entries) from %s in %d ms, %d vanished while read, "
                    + "output in %d ms%n", snapshot.processes().size(), mappings, snapshot.source().fileName(),
                    (read - started) / 1_000_000, snapshot.vanished(), (System.nanoTime() - read) / 1_000_000);
        }
        err.flush();
    }

    private static String processes(int count) {
        return count == 1 ? "1 process" : count + " processes";
    }

    /** /proc/self belongs to the effective user. */
    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(commandLine(), args));
    }
}
