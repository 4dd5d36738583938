package org.gleaner.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code gleaner}: the top command; every tool is a subcommand, and each also has its own launcher in bin/.
 * Declared through picocli's programmatic model, as its subcommands are (see PsMemCommand).
 */
public final class GleanerCommand implements Runnable {
    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    private GleanerCommand() {
        spec.name("gleaner").versionProvider(new Version());
        spec.usageMessage().description("Linux system observability: collectors, a loss-free carbon agent and admin tools.");
        Cli.addStandardHelpOptions(spec);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** The top command with every tool as a subcommand, in the order its help lists them (also for packaging/build). */
    public static CommandLine commandLine() {
        CommandLine gleaner = new CommandLine(new GleanerCommand().spec);
        for (Object tool : new Object[] {new HelpCommand().spec(), new AgentCommand().spec(), new BitrotScrubCommand().spec(),
                new FatraceCommand().spec(), new FatracePipeCommand().spec(), new PsMemCommand().spec(), new PeersCommand().spec()}) {
            gleaner.addSubcommand(tool);
        }
        return gleaner;
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(commandLine(), args));
    }
}
