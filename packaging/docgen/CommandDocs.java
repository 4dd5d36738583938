import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the AsciiDoc man pages (one per command and subcommand, by picocli-codegen) and the bash
 * completion (one per program, by picocli) of gleaner's programs, for packaging/build. gleaner's
 * commands are declared through picocli's programmatic model, so the generators get them from each
 * program's main class, whose {@code public static CommandLine commandLine()} builds it.
 *
 *   java -cp gleaner.jar:picocli-codegen.jar CommandDocs.java MAN_DIR COMPLETION_DIR NAME=MAIN_CLASS...
 */
public final class CommandDocs {
    public static void main(String[] args) throws Exception {
        File manDirectory = new File(args[0]);
        Path completionDirectory = Path.of(args[1]);
        List<CommandLine.Model.CommandSpec> specs = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String name = args[i].substring(0, args[i].indexOf('='));
            CommandLine program = commandLine(args[i].substring(name.length() + 1));
            specs.add(program.getCommandSpec());
            Files.writeString(completionDirectory.resolve(name + ".bash"), AutoComplete.bash(name, program));
        }
        int status = ManPageGenerator.generateManPage(manDirectory, null, new boolean[0], true,
                specs.toArray(new CommandLine.Model.CommandSpec[0]));
        if (status != 0) {
            throw new IOException("man pages: picocli-codegen exited " + status);
        }
    }

    private static CommandLine commandLine(String mainClass) throws ReflectiveOperationException {
        return (CommandLine) Class.forName(mainClass).getMethod("commandLine").invoke(null);
    }
}
