package org.gleaner.agent.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The command lines the README and docs/*.md tell a user to run: code lines (fenced or indented),
 * with or without a shell prompt ({@code $ }, {@code # }, {@code (user) $ }), and inline code that
 * starts with one of gleaner's programs and gives it arguments. Synopses (with {@code [}, {@code …},
 * {@code ...} or an upper-case placeholder such as {@code PATH}) and the benchmarks under bench/ (which are scripts of their own) are not recipes.
 */
final class Recipes {
    /** A recipe, where it was found, and whether its prompt says it runs as root. */
    record Recipe(String command, String where, boolean asRoot) {}

    private static final Pattern PROMPT = Pattern.compile("^(?:\\((\\w+)\\) )?([$#]) (.+)$");
    /** An upper-case word such as PATH or FILE stands for something the reader fills in. */
    private static final Pattern PLACEHOLDER = Pattern.compile("(^|\\s)[A-Z]{2,}(\\s|$)");
    private static final Pattern INLINE = Pattern.compile("`([^`]+)`");
    private static final List<String> PROGRAMS = List.of("gleaner ", "bin/", "ps-mem ", "fatrace ", "fatrace-pipe ",
            "./run", "sudo ", "scripts/", "bitrot-scrub ");

    private Recipes() {}

    static List<Path> documents(Path root) throws IOException {
        List<Path> documents = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }

    static List<Recipe> in(Path root) throws IOException {
        List<Recipe> recipes = new ArrayList<>();
        for (Path document : documents(root)) {
            List<String> lines = Files.readAllLines(document);
            boolean fenced = false;
            boolean fencedYaml = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = root.relativize(document) + ":" + (i + 1);
                if (line.startsWith("```")) {
                    fenced = !fenced;
                    fencedYaml = fenced && line.startsWith("```yaml");
                    continue;
                }
                if (fenced || line.startsWith("    ")) {
                    if (!fencedYaml) {
                        codeLine(line.strip(), where, recipes);
                    }
                    continue;
                }
                Matcher inline = INLINE.matcher(line);
                while (inline.find()) {
                    String code = inline.group(1).replace("\\|", "|").strip();
                    if (startsWithProgram(code) && code.contains(" ") && !isSynopsis(code)) {
                        recipes.add(new Recipe(code, where, false));
                    }
                }
            }
        }
        return recipes;
    }

    private static void codeLine(String line, String where, List<Recipe> out) {
        Matcher prompted = PROMPT.matcher(line);
        if (prompted.matches()) {
            String command = prompted.group(3).strip();
            boolean root = prompted.group(2).equals("#");
            // a "# word" line is a recipe only when it runs a program; otherwise it is a comment
            if ((!root || startsWithProgram(command)) && !command.startsWith("bench/") && !isSynopsis(command)) {
                out.add(new Recipe(command, where, root));
            }
        } else if (startsWithProgram(line) && !isSynopsis(line)) {
            out.add(new Recipe(line, where, false));
        }
    }

    private static boolean startsWithProgram(String code) {
        return PROGRAMS.stream().anyMatch(code::startsWith);
    }

    private static boolean isSynopsis(String code) {
        return code.contains("[") || code.contains("…") || code.contains("...") || PLACEHOLDER.matcher(code).find();
    }
}
