package org.gleaner.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gleaner}: the top command; every tool is a subcommand, and each also has its own launcher in bin/. */
@Command(name = "gleaner",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Linux system observability: collectors, a loss-free carbon agent and admin tools.")
public final class GleanerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** The top command with every tool as a subcommand, in the order its help lists them (also for packaging/build). */
    public static CommandLine commandLine() {
        CommandLine gleaner = new CommandLine(new GleanerCommand());
        for (Object tool : new Object[] {new CommandLine.HelpCommand(), new AgentCommand(), new BitrotScrubCommand(),
                new FatraceCommand().spec(), new FatracePipeCommand().spec(), new PsMemCommand().spec(), new PeersCommand()}) {
            gleaner.addSubcommand(tool);
        }
        return gleaner;
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(commandLine(), args));
    }
}
