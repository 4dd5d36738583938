package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gleaner.collectors.fanotify.FileEvent;
import org.gleaner.collectors.text.BytePath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event sequences as the kernel reports them, through the filter and batcher, to the printed paths. */
class ChangeFilterTest {

    private static final int OTHER_PID = 4242;

    @TempDir
    Path temp;
    private Path root;

    @BeforeEach
    void makeRoot() throws Exception {
        root = Files.createDirectory(temp.resolve("project"));
    }

    private List<BytePath> batch(boolean includeGone, List<String> excludes, List<FileEvent> events) throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(BytePath.of(root)), includeGone, 0);
        ChangeFilter filter = new ChangeFilter(WatchedRoots.of(List.of(BytePath.of(root))), Excludes.of(excludes), null, batcher);
        events.forEach(filter::onEvent);
        filter.onEvent(event(FileEvent.CLOSE_WRITE, "end-marker"));
        List<BytePath> paths = batcher.awaitBatch().paths();
        assertEquals(at("end-marker"), paths.get(paths.size() - 1), "batch " + paths);
        return paths.subList(0, paths.size() - 1);
    }

    private List<BytePath> changes(List<FileEvent> events) throws Exception {
        return batch(false, Excludes.DEFAULTS, events);
    }

    private BytePath at(String relative) {
        return BytePath.of(root.resolve(relative));
    }

    private FileEvent event(long mask, String relative) {
        return new FileEvent(mask, OTHER_PID, at(relative));
    }

    @Test
    void writtenCreatedAndMovedInFilesAreReportedOnceEachInOrder() throws Exception {
        assertEquals(List.of(at("a.c"), at("sub/b.c"), at("c.c")), changes(List.of(
                event(FileEvent.OPEN | FileEvent.MODIFY, "a.c"),
                event(FileEvent.CLOSE_WRITE, "a.c"),
                event(FileEvent.CREATE, "sub/b.c"),
                event(FileEvent.MODIFY | FileEvent.CLOSE_WRITE, "sub/b.c"),
                event(FileEvent.CLOSE_WRITE, "a.c"),
                event(FileEvent.MOVED_TO, "c.c"))));
    }

    @Test
    void readsOpensAndAttributeChangesAreNotChanges() throws Exception {
        assertEquals(List.of(), changes(List.of(
                event(FileEvent.OPEN | FileEvent.ACCESS | FileEvent.CLOSE_NOWRITE, "a.c"),
                event(FileEvent.MODIFY, "b.c"),
                event(FileEvent.ATTRIB, "c.c"))));
    }

    @Test
    void atomicSaveReportsTheTargetOnlyNotTheTempFile() throws Exception {
        List<FileEvent> save = List.of(
                event(FileEvent.CREATE, "main.c.tmp1234"),
                event(FileEvent.CLOSE_WRITE, "main.c.tmp1234"),
                event(FileEvent.MOVED_FROM, "main.c.tmp1234"),
                event(FileEvent.MOVED_TO, "main.c"));
        assertEquals(List.of(at("main.c")), changes(save));
        assertEquals(List.of(at("main.c")), batch(true, List.of(), save), "--events too");
    }

    @Test
    void vimBackupDanceReportsTheFileOnce() throws Exception {
        assertEquals(List.of(at("main.c")), changes(List.of(
                event(FileEvent.CREATE, "4913"),
                event(FileEvent.CLOSE_WRITE, "4913"),
                event(FileEvent.DELETE, "4913"),
                event(FileEvent.MOVED_FROM, "main.c"),
                event(FileEvent.MOVED_TO, "main.c~"),
                event(FileEvent.CREATE, "main.c"),
                event(FileEvent.CLOSE_WRITE, "main.c"),
                event(FileEvent.DELETE, "main.c~"))));
    }

    @Test
    void deletesAndMovesOutAreReportedOnlyWithEvents() throws Exception {
        List<FileEvent> events = List.of(
                event(FileEvent.DELETE, "old.c"),
                event(FileEvent.MOVED_FROM, "moved.c"),
                event(FileEvent.MOVED_TO, "elsewhere/moved.c"));
        assertEquals(List.of(at("elsewhere/moved.c")), changes(events));
        assertEquals(List.of(at("old.c"), at("moved.c"), at("elsewhere/moved.c")),
                batch(true, List.of(), events));
    }

    @Test
    void aFileCreatedAndDeletedWithinTheBurstNeverExisted() throws Exception {
        assertEquals(List.of(), batch(true, List.of(), List.of(
                event(FileEvent.CREATE, "scratch"),
                event(FileEvent.CLOSE_WRITE, "scratch"),
                event(FileEvent.DELETE, "scratch"))));
    }

    @Test
    void aFileDeletedThenRecreatedIsAChange() throws Exception {
        assertEquals(List.of(at("a.c")), batch(true, List.of(), List.of(
                event(FileEvent.DELETE, "a.c"),
                event(FileEvent.CREATE, "a.c"),
                event(FileEvent.CLOSE_WRITE, "a.c"))));
    }

    @Test
    void directoriesCountWhenMovedOrDeletedNotWhenCreated() throws Exception {
        assertEquals(List.of(at("moved-in"), at("removed")), batch(true, List.of(), List.of(
                event(FileEvent.CREATE | FileEvent.ONDIR, "new-dir"),
                event(FileEvent.MOVED_TO | FileEvent.ONDIR, "moved-in"),
                event(FileEvent.DELETE | FileEvent.ONDIR, "removed"))));
    }

    @Test
    void mergedCreateAndDeleteIsDecidedByWhatExistsNow() throws Exception {
        Files.writeString(root.resolve("exists"), "x");
        assertEquals(List.of(at("exists"), at("vanished")), batch(true, List.of(), List.of(
                event(FileEvent.CREATE | FileEvent.DELETE | FileEvent.CLOSE_WRITE, "exists"),
                event(FileEvent.CREATE | FileEvent.DELETE, "vanished"))));
        assertEquals(List.of(at("exists")), changes(List.of(
                event(FileEvent.CREATE | FileEvent.DELETE | FileEvent.CLOSE_WRITE, "exists"),
                event(FileEvent.CREATE | FileEvent.DELETE, "vanished"))));
    }

    @Test
    void pathsOutsideTheRootsNeverAppearIncludingASiblingWithTheSamePrefix() throws Exception {
        assertEquals(List.of(), changes(List.of(
                new FileEvent(FileEvent.CLOSE_WRITE, OTHER_PID, BytePath.ofArgument(root + "2/a.c")),
                new FileEvent(FileEvent.CLOSE_WRITE, OTHER_PID, BytePath.ofArgument(root + ".bak")),
                new FileEvent(FileEvent.CLOSE_WRITE, OTHER_PID, BytePath.of(temp.resolve("outside.c"))),
                new FileEvent(FileEvent.CLOSE_WRITE, OTHER_PID, BytePath.ofArgument("/etc/passwd")))));
    }

    @Test
    void defaultExcludesDropGitAndEditorFiles() throws Exception {
        assertEquals(List.of(at("sub/.gitignore"), at("a.swp")), changes(List.of(
                event(FileEvent.CLOSE_WRITE, ".git/index"),
                event(FileEvent.CLOSE_WRITE, "sub/.git/objects/ab/cdef"),
                event(FileEvent.CLOSE_WRITE, "sub/.gitignore"),
                event(FileEvent.CLOSE_WRITE, ".main.c.swp"),
                event(FileEvent.CLOSE_WRITE, "sub/.main.c.swx"),
                event(FileEvent.CLOSE_WRITE, "main.c~"),
                event(FileEvent.CLOSE_WRITE, "4913"),
                event(FileEvent.CLOSE_WRITE, ".#main.c"),
                event(FileEvent.CLOSE_WRITE, "#main.c#"),
                event(FileEvent.CLOSE_WRITE, "a.swp"))));
    }

    @Test
    void commandFilterKeepsOnlyThatProgramsChanges() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(BytePath.of(root)), false, 0);
        ChangeFilter filter = new ChangeFilter(WatchedRoots.of(List.of(BytePath.of(root))), Excludes.of(List.of()), "make", batcher);
        filter.onEvent(new FileEvent(FileEvent.CLOSE_WRITE, 0, at("unknown-pid"), "unknown"));
        filter.onEvent(new FileEvent(FileEvent.CLOSE_WRITE, 10, at("by-cc"), "cc1"));
        filter.onEvent(new FileEvent(FileEvent.CLOSE_WRITE, 11, at("by-make"), "make"));
        filter.onEvent(new FileEvent(FileEvent.CLOSE_WRITE, 12, at("by-maker"), "maker"));
        assertEquals(List.of(at("by-make")), batcher.awaitBatch().paths());
    }

    @Test
    void entryNamesWhoseDirectoryVanishedAreNotUnderAnyRoot() throws Exception {
        assertEquals(List.of(), changes(List.of(new FileEvent(FileEvent.CREATE, OTHER_PID, BytePath.ofArgument("orphan")))));
    }

    @Test
    void overflowTurnsTheBatchIntoTheRescanMarker() throws Exception {
        ChangeBatcher batcher = new ChangeBatcher(List.of(BytePath.of(root)), false, 0);
        ChangeFilter filter = new ChangeFilter(WatchedRoots.of(List.of(BytePath.of(root))), Excludes.of(List.of()), null, batcher);
        filter.onEvent(event(FileEvent.CLOSE_WRITE, "before"));
        filter.onOverflow();
        filter.onEvent(event(FileEvent.CLOSE_WRITE, "after"));
        ChangeBatcher.Batch batch = batcher.awaitBatch();
        assertTrue(batch.overflow());
        assertEquals(List.of(BytePath.of(root)), batch.paths());
        filter.onEvent(event(FileEvent.CLOSE_WRITE, "next"));
        assertEquals(List.of(at("next")), batcher.awaitBatch().paths());
    }
}
