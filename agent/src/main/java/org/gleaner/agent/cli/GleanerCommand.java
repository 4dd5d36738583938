package org.gleaner.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code gleaner}: the top command; every tool is a subcommand, and each also has its own launcher in bin/. */
@Command(name = "gleaner",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Linux system observability: collectors, a loss-free carbon agent and admin tools.",
        subcommands = {
            CommandLine.HelpCommand.class,
            AgentCommand.class,
            BitrotScrubCommand.class,
            FatraceCommand.class,
            FatracePipeCommand.class,
            PsMemCommand.class,
            PeersCommand.class,
        })
public final class GleanerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new GleanerCommand(), args));
    }
}
