package org.gleaner.agent.cli;

/**
 * Runs gleaner's tools one after another in one JVM, for scripts/cds-archive: a JDK 25 ahead-of-time
 * cache is made from a single training run (JEP 514), so that run has to take every tool through its
 * usual paths. Each argument is one command line of {@code gleaner} (words separated by spaces);
 * each command's exit status is ignored, as a training run's is.
 */
public final class ArchiveTraining {
    private ArchiveTraining() {}

    public static void main(String[] commandLines) {
        for (String commandLine : commandLines) {
            Cli.execute(GleanerCommand.commandLine(), commandLine.trim().split(" +"));
        }
    }
}
