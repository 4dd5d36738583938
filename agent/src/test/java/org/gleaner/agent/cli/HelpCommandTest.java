package org.gleaner.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code gleaner help [COMMAND]} answers as picocli's own help command does. */
class HelpCommandTest {
    private record Output(int exit, String out, String err) {}

    private static Output gleaner(String... args) {
        CommandLine gleaner = GleanerCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        gleaner.setOut(new PrintWriter(out));
        gleaner.setErr(new PrintWriter(err));
        int exit = Cli.execute(gleaner, args);
        return new Output(exit, out.toString(), err.toString());
    }

    @Test
    void printsTheHelpOfTheCommandItNames() {
        for (String tool : new String[] {"agent", "bitrot-scrub", "ps-mem", "peers"}) {
            Output help = gleaner("help", tool);
            assertEquals(new Output(0, gleaner(tool, "--help").out(), ""), help, tool);
            assertTrue(help.out().startsWith("Usage: gleaner " + tool + " "), help.out());
        }
    }

    @Test
    void withoutACommandPrintsTheHelpOfGleaner() {
        Output help = gleaner("help");
        assertEquals(new Output(0, gleaner("--help").out(), ""), help);
        assertTrue(help.out().contains("\n  help          Display help information about the specified command.\n"), help.out());
    }

    @Test
    void describesItselfAndIsNotCheckedForOtherOptions() {
        Output own = gleaner("help", "--help");
        assertEquals(0, own.exit());
        assertEquals("""
                Display help information about the specified command.

                Usage: gleaner help [-h] [COMMAND]

                When no COMMAND is given, the usage help for the main command is displayed.
                If a COMMAND is specified, the help for that command is shown.

                      [COMMAND]   The COMMAND to display the usage help message for.
                  -h, --help      Show usage help for the help command and exit.
                """, own.out());
        assertEquals(gleaner("help", "agent").out(), gleaner("help", "agent", "--no-such-option").out());
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertEquals(new Output(2, "", "gleaner: Unknown subcommand 'nosuch'. (see --help)\n"), gleaner("help", "nosuch"));
    }
}
