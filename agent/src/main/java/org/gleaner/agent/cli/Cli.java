package org.gleaner.agent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Runs a picocli command with gleaner's error conventions: a usage error is one line on stderr
 * and exit 2; any other failure is one line "NAME: error: message" and exit 1 (--debug shows the trace).
 */
public final class Cli {
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_FAILURE = 1;

    private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

    private Cli() {}

    /** An option that takes no value, for a command declared through picocli's programmatic model. */
    static OptionSpec flag(String description, String... names) {
        return OptionSpec.builder(names).type(boolean.class).description(description).build();
    }

    /** Whether {@code flag} was given (its value is null, not false, until the command line sets it). */
    static boolean isSet(OptionSpec flag) {
        return Boolean.TRUE.equals(flag.getValue());
    }

    /** The values of a repeatable option: empty, not null, when it was not given. */
    static <T> List<T> values(ArgSpec repeatable) {
        List<T> values = repeatable.getValue();
        return values == null ? List.of() : values;
    }

    /** {@code options} in their order, then the standard help options, as every gleaner command lists them. */
    static void addOptionsAndHelp(CommandSpec spec, OptionSpec... options) {
        for (OptionSpec option : options) {
            spec.addOption(option);
        }
        addStandardHelpOptions(spec);
    }

    /** {@code -h/--help} and {@code -V/--version}, as picocli's {@code mixinStandardHelpOptions} declares them. */
    static void addStandardHelpOptions(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
    }

    /** {@code command}: an annotated command object, a picocli {@code CommandSpec}, or a {@code CommandLine} built from them. */
    public static int execute(Object command, String... args) {
        CommandLine commandLine = commandLine(command);
        commandLine.setParameterExceptionHandler((exception, ignored) -> {
            CommandLine failed = exception.getCommandLine();
            PrintWriter err = failed.getErr();
            err.println(failed.getCommandName() + ": " + oneLine(usageProblem(exception)) + " (see --help)");
            err.flush();
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((exception, failed, ignored) -> {
            PrintWriter err = failed.getErr();
            if (exception instanceof UsageException) {
                err.println(failed.getCommandName() + ": " + oneLine(exception.getMessage()));
                err.flush();
                return EXIT_USAGE;
            }
            err.println(failed.getCommandName() + ": error: " + oneLine(IoErrors.describe(exception)));
            if (Boolean.getBoolean("gleaner.debug")) {
                exception.printStackTrace(err);
            }
            err.flush();
            return EXIT_FAILURE;
        });
        String archiveMark = System.getProperty("gleaner.cds.done");
        if (archiveMark == null) {
            return commandLine.execute(args);
        }
        commandLine.setExecutionStrategy(parsed -> {
            markArchiveRun(parsed, Path.of(archiveMark));
            return new CommandLine.RunLast().execute(parsed);
        });
        int status = commandLine.execute(args);
        if (status != 0) {
            deleteArchiveMark(Path.of(archiveMark));
        }
        return status;
    }

    /**
     * Tells bin/launcher.sh that the class-data archive this JVM dumps at exit may be kept: it is
     * marked when the command starts its work (a tool stopped by a signal keeps the mark) and
     * unmarked if the command fails, so a usage error or --help never decides the archive's content.
     */
    private static void markArchiveRun(CommandLine.ParseResult parsed, Path mark) {
        CommandLine.ParseResult command = parsed;
        while (command.hasSubcommand()) {
            command = command.subcommand();
        }
        if (command.isUsageHelpRequested() || command.isVersionHelpRequested()
                || command.commandSpec().helpCommand()) {
            return;
        }
        try {
            Files.createFile(mark);
        } catch (IOException e) {
            // no mark, no archive: the next run dumps again
        }
    }

    private static void deleteArchiveMark(Path mark) {
        try {
            Files.deleteIfExists(mark);
        } catch (IOException e) {
            // the launcher then keeps a dump it could have made better: still a valid archive
        }
    }

    /**
     * The command with gleaner's type converters: a bad number says so in words, not in Java's type names.
     * picocli's built-in converters for java.sql and java.time types, which no gleaner option has, are
     * left out: looking their classes up loads and initialises a hundred JDK classes at every start.
     */
    static CommandLine commandLine(Object command) {
        if (System.getProperty(CONVERTER_EXCLUDES) == null) {
            System.setProperty(CONVERTER_EXCLUDES, "java\\.(sql|time)\\..*");
        }
        CommandLine commandLine = command instanceof CommandLine built ? built : new CommandLine(command);
        commandLine.registerConverter(Integer.class, text -> number(text, Integer::valueOf));
        commandLine.registerConverter(Integer.TYPE, text -> number(text, Integer::valueOf));
        commandLine.registerConverter(Long.class, text -> number(text, Long::valueOf));
        commandLine.registerConverter(Long.TYPE, text -> number(text, Long::valueOf));
        commandLine.registerConverter(Double.class, text -> number(text, Double::valueOf));
        commandLine.registerConverter(Double.TYPE, text -> number(text, Double::valueOf));
        return commandLine;
    }

    private static <T> T number(String text, Function<String, T> parse) {
        try {
            return parse.apply(text.trim());
        } catch (NumberFormatException notANumber) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
        }
    }

    /** An unknown word where a subcommand is expected names the subcommands there are. */
    private static String usageProblem(CommandLine.ParameterException exception) {
        CommandLine failed = exception.getCommandLine();
        if (exception instanceof CommandLine.UnmatchedArgumentException unmatched && !failed.getSubcommands().isEmpty()
                && failed.getParseResult() != null && !failed.getParseResult().hasSubcommand()
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            return "unknown subcommand '" + unmatched.getUnmatched().get(0) + "' (subcommands: "
                    + String.join(", ", failed.getSubcommands().keySet()) + ")";
        }
        return exception.getMessage();
    }

    /** Collapses a message to one line so that a hostile name in it cannot fake further output lines. */
    public static String oneLine(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }
}
