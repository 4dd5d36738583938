package org.gleaner.agent.cli;

import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Runs a picocli command with gleaner's error conventions: a usage error is one line on stderr
 * and exit 2; any other failure is one line "NAME: error: message" and exit 1 (--debug shows the trace).
 */
public final class Cli {
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_FAILURE = 1;

    private Cli() {}

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
        return commandLine.execute(args);
    }

    /** The command with gleaner's type converters: a bad number says so in words, not in Java's type names. */
    static CommandLine commandLine(Object command) {
        CommandLine commandLine = new CommandLine(command);
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
