package org.gleaner.agent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
                || command.commandSpec().userObject() instanceof CommandLine.HelpCommand) {
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
