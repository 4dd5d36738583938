package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.Test;

class ExcludesTest {

    private static boolean excluded(String pattern, String relative) {
        return Excludes.of(List.of(pattern)).excludes(BytePath.ofArgument(relative), false);
    }

    @Test
    void patternWithoutSlashMatchesAnyComponentAtAnyDepth() {
        assertTrue(excluded("*.o", "main.o"));
        assertTrue(excluded("*.o", "src/deep/main.o"));
        assertTrue(excluded("node_modules", "web/node_modules/x/index.js"));
        assertFalse(excluded("*.o", "main.c"));
        assertFalse(excluded("*.o", "main.o.c"));
    }

    @Test
    void trailingSlashMatchesDirectoriesOnly() {
        assertTrue(excluded("build/", "build/main.o"));
        assertTrue(excluded("build/", "sub/build/x/main.o"));
        assertFalse(excluded("build/", "build"), "a file named build is not a directory");
        assertTrue(Excludes.of(List.of("build/")).excludes(BytePath.ofArgument("build"), true));
    }

    @Test
    void patternWithSlashIsAnchoredAtTheRoot() {
        assertTrue(excluded("build/*.o", "build/main.o"));
        assertFalse(excluded("build/*.o", "sub/build/main.o"));
        assertFalse(excluded("build/*.o", "build/x/main.o"), "* does not cross /");
        assertTrue(excluded("docs/**", "docs/a/b/c.md"));
        assertTrue(excluded("out/gen", "out/gen/a/b.c"), "a leading part matching excludes what is below");
        assertTrue(excluded("/Makefile", "Makefile"));
        assertFalse(excluded("/Makefile", "sub/Makefile"));
    }

    @Test
    void hostileNamesAreMatchedLiterally() {
        assertTrue(excluded("*.tmp", "we ird/na\nme 'x\".tmp"));
        assertFalse(excluded("*.tmp", "we ird/na\nme 'x\".c"));
    }

    @Test
    void badPatternsFailWithTheirName() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Excludes.of(List.of("/")));
        assertTrue(empty.getMessage().contains("'/'"), empty.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Excludes.of(List.of("a{b")));
        assertTrue(bad.getMessage().startsWith("--exclude 'a{b'"), bad.getMessage());
    }

    @Test
    void noPatternsExcludeNothing() {
        assertFalse(Excludes.of(List.of()).excludes(BytePath.ofArgument(".git/index"), false));
        assertEquals(6, Excludes.DEFAULTS.size());
    }
}
