package org.gleaner.agent.cli;

import java.io.PrintWriter;
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
        CommandLine commandLine = new CommandLine(command);
        commandLine.setParameterExceptionHandler((exception, ignored) -> {
            PrintWriter err = exception.getCommandLine().getErr();
            err.println(exception.getCommandLine().getCommandName() + ": " + oneLine(exception.getMessage())
                    + " (see --help)");
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
            err.println(failed.getCommandName() + ": error: " + oneLine(String.valueOf(exception.getMessage())));
            if (Boolean.getBoolean("gleaner.debug")) {
                exception.printStackTrace(err);
            }
            err.flush();
            return EXIT_FAILURE;
        });
        return commandLine.execute(args);
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
