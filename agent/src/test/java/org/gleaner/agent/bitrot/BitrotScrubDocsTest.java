package org.gleaner.agent.bitrot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.TempTrees;
import org.junit.jupiter.api.Test;

/**
 * Every bitrot-scrub recipe of the README and docs/bitrot-scrub.md, run exactly as written by a
 * user whose home holds ~/photos (as root: by nobody, so the default database is the user's own).
 */
class BitrotScrubDocsTest {
    private static final Pattern README_RECIPE = Pattern.compile("`(bitrot-scrub [^`]*)`");

    static List<String> recipes() throws Exception {
        Path root = Requirements.repoRoot();
        List<String> recipes = new ArrayList<>();
        Matcher inline = README_RECIPE.matcher(Files.readString(root.resolve("README.md")));
        while (inline.find()) {
            recipes.add(inline.group(1));
        }
        boolean inShell = false;
        for (String line : Files.readAllLines(root.resolve("docs/bitrot-scrub.md"))) {
            if (line.startsWith("```")) {
                inShell = line.equals("```sh");
            } else if (inShell) {
                recipes.add(line);
            }
        }
        return recipes;
    }

    @Test
    void everyRecipeRunsAsWritten() throws Exception {
        List<String> recipes = recipes();
        assertTrue(recipes.size() >= 9, "recipes found: " + recipes);
        Path home = Files.createTempDirectory("gleaner-bitrot-docs-");
        try {
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path photos = Files.createDirectories(home.resolve("photos/2019"));
            Files.createDirectories(home.resolve("photos/cache"));
            Files.writeString(photos.resolve("img-0001.jpg"), "a photo");
            Files.writeString(photos.resolve("img-0002.jpg"), "another photo");
            Files.writeString(home.resolve("photos/cache/thumb"), "a thumbnail");
            Files.writeString(home.resolve("photos/upload.tmp"), "partial");
            try (Stream<Path> tree = Files.walk(home)) {
                for (Path path : tree.toList()) {
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxrwxrwx" : "rw-rw-rw-"));
                }
            }
            for (String recipe : recipes) {
                Cmd.Result result = run(home, recipe);
                if (recipe.startsWith("bitrot-scrub accept")) {
                    assertEquals(2, result.exit(), recipe + "\n" + result.stderr());
                    assertTrue(result.stderr().contains("has no open finding"), recipe + "\n" + result.stderr());
                } else {
                    assertEquals(0, result.exit(), recipe + "\n" + result.stdout() + result.stderr());
                }
            }
            assertTrue(Files.exists(home.resolve(".local/state/gleaner/bitrot.db")), "the user's default database");
            assertTrue(Files.readString(home.resolve("report.json")).contains("\"files\":"));
        } finally {
            TempTrees.delete(home);
        }
    }

    private static Cmd.Result run(Path home, String recipe) {
        List<String> command = new ArrayList<>();
        if (Requirements.isRoot()) {
            Requirements.requireTool("setpriv");
            command.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        }
        command.addAll(List.of("env", "-i", "PATH=" + Requirements.repoRoot().resolve("bin") + ":/usr/bin:/bin",
                "HOME=" + home, "bash", "-c", "cd ~ && " + recipe));
        return Cmd.run(BitrotRun.LIMIT, command, null);
    }
}
