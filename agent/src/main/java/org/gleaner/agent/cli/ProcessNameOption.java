package org.gleaner.agent.cli;

import java.io.PrintStream;

/** {@code -C/--command COMM} of fatrace and fatrace-pipe: a process name as /proc/PID/comm shows it. */
final class ProcessNameOption {
    /** comm is cut to TASK_COMM_LEN - 1 = 15 bytes (proc(5), prctl(2) PR_SET_NAME). */
    static final int COMM_LENGTH = 15;

    private ProcessNameOption() {}

    /**
     * {@code value} as it can match: null stays null, an empty name is a usage error, and a longer
     * name is cut as the kernel cuts the names it reports, with a note on {@code err}.
     */
    static String parse(String tool, String value, PrintStream err) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty()) {
            throw new UsageException("--command needs a process name");
        }
        if (value.length() <= COMM_LENGTH) {
            return value;
        }
        String cut = value.substring(0, COMM_LENGTH);
        err.println(Cli.oneLine(tool + ": note: --command " + value + " is matched as " + cut
                + ": the kernel keeps only the first " + COMM_LENGTH + " characters of a process name"));
        return cut;
    }
}
