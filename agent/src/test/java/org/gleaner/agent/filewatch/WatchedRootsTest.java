package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchedRootsTest {

    @TempDir
    Path temp;

    @Test
    void rootsAreResolvedThroughSymlinksAndDotDot() throws Exception {
        Path project = Files.createDirectories(temp.resolve("real/project"));
        Path link = Files.createSymbolicLink(temp.resolve("link"), temp.resolve("real"));
        WatchedRoots roots = WatchedRoots.resolve(List.of(link + "/project/../project/"));
        assertEquals(List.of(BytePath.of(project.toRealPath())), roots.paths());
    }

    @Test
    void locateMatchesWholeComponentsOnly() throws Exception {
        Path project = Files.createDirectories(temp.resolve("project")).toRealPath();
        WatchedRoots roots = WatchedRoots.resolve(List.of(project.toString()));
        assertEquals(BytePath.ofArgument("src/a.c"), roots.locate(BytePath.of(project.resolve("src/a.c"))).relative());
        assertNull(roots.locate(BytePath.ofArgument(project + "2/a.c")));
        assertNull(roots.locate(BytePath.ofArgument(project + "2")));
        assertNull(roots.locate(BytePath.of(project.getParent())));
    }

    @Test
    void nestedRootsCollapseIntoTheOuterOne() throws Exception {
        Path outer = Files.createDirectories(temp.resolve("a")).toRealPath();
        Path inner = Files.createDirectories(temp.resolve("a/b")).toRealPath();
        Path other = Files.createDirectories(temp.resolve("ab")).toRealPath();
        WatchedRoots roots = WatchedRoots.resolve(List.of(inner.toString(), other.toString(), outer.toString(),
                outer.toString()));
        assertEquals(Set.of(BytePath.of(outer), BytePath.of(other)), Set.copyOf(roots.paths()));
        assertEquals(2, roots.paths().size());
        assertEquals(BytePath.ofArgument("b/x"), roots.locate(BytePath.of(inner.resolve("x"))).relative());
    }

    @Test
    void missingPathAndFileAreOneLineErrors() throws Exception {
        Path file = Files.writeString(temp.resolve("file"), "x");
        assertEquals(temp + "/nope: no such file or directory", assertThrows(IllegalArgumentException.class,
                () -> WatchedRoots.resolve(List.of(temp + "/nope"))).getMessage());
        assertEquals(file + ": not a directory", assertThrows(IllegalArgumentException.class,
                () -> WatchedRoots.resolve(List.of(file.toString()))).getMessage());
    }
}
