package org.gleaner.agent.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code gleaner help [COMMAND]}: the usage help of the parent command or of one of its subcommands, as
 * picocli's own help command prints it, declared through picocli's programmatic model (picocli's
 * version is annotated, and reading annotations is most of a tool's start-up cost, see PsMemCommand).
 * As a help command it is given the parent's output by picocli, and a command line that names it is
 * not checked for unknown options or required arguments.
 */
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Callable<Integer> {
    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
    /** Its completion offers the commands beside it, as picocli's completion does for its own help command. */
    private final PositionalParamSpec command = PositionalParamSpec.builder().arity("0..1").paramLabel("COMMAND")
            .type(String.class).completionCandidates(() -> siblings().iterator())
            .description("The COMMAND to display the usage help message for.").build();

    private CommandLine self;
    private CommandLine.Help.ColorScheme colorScheme;
    private PrintWriter out;

    HelpCommand() {
        spec.name("help").helpCommand(true);
        spec.usageMessage().header("Display help information about the specified command.").synopsisHeading("%nUsage: ")
                .description("%nWhen no COMMAND is given, the usage help for the main command is displayed.",
                        "If a COMMAND is specified, the help for that command is shown.%n");
        spec.addPositional(command);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show usage help for the help command and exit.").build());
    }

    /** The command's model, for picocli. */
    CommandSpec spec() {
        return spec;
    }

    private List<String> siblings() {
        List<String> names = new ArrayList<>(spec.parent() == null ? List.of() : spec.parent().subcommands().keySet());
        names.remove(spec.name());
        return names;
    }

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.colorScheme = colorScheme;
        this.out = out;
    }

    @Override
    public Integer call() {
        CommandLine parent = self == null ? null : self.getParent();
        if (parent == null) {
            return 0;
        }
        String name = command.getValue();
        if (name == null) {
            parent.usage(out, colorScheme);
            return parent.getCommandSpec().exitCodeOnUsageHelp();
        }
        CommandLine subcommand = parent.getSubcommands().get(name);
        if (subcommand == null) {
            throw new CommandLine.ParameterException(parent, "Unknown subcommand '" + name + "'.", null, name);
        }
        subcommand.usage(out, colorScheme);
        return subcommand.getCommandSpec().exitCodeOnUsageHelp();
    }
}
