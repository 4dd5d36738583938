package org.gleaner.collectors.fanotify;

import static org.gleaner.collectors.fanotify.FileEvent.ACCESS;
import static org.gleaner.collectors.fanotify.FileEvent.CLOSE_NOWRITE;
import static org.gleaner.collectors.fanotify.FileEvent.CLOSE_WRITE;
import static org.gleaner.collectors.fanotify.FileEvent.CREATE;
import static org.gleaner.collectors.fanotify.FileEvent.DELETE;
import static org.gleaner.collectors.fanotify.FileEvent.MODIFY;
import static org.gleaner.collectors.fanotify.FileEvent.MOVED_FROM;
import static org.gleaner.collectors.fanotify.FileEvent.MOVED_TO;
import static org.gleaner.collectors.fanotify.FileEvent.OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Options;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Scope;
import org.gleaner.collectors.text.BytePath;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FanotifyWatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    /**
     * A workload in other processes (this process's own events are always excluded). It waits for the
     * new directory's create event before filling it: tree mode marks a new directory only once its
     * create event is read, and entries made before that are not seen (see the package README).
     */
    private static final String MAKE_DIRECTORY = "cd \"$1\" && mkdir sub";
    private static final String WORKLOAD = "cd \"$1\" && echo hi > sub/new && cat sub/new > /dev/null"
            + " && mv sub/new 'sub/re named' && rm 'sub/re named' && mv sub moved && rmdir moved && touch done";

    private static final Map<String, Long> EXPECTED = Map.of(
            "sub", CREATE | MOVED_FROM,
            "sub/new", CREATE | OPEN | ACCESS | MODIFY | CLOSE_WRITE | CLOSE_NOWRITE | MOVED_FROM,
            "sub/re named", MOVED_TO | DELETE,
            "moved", MOVED_TO | DELETE,
            "done", CREATE | OPEN | CLOSE_WRITE);

    @Test
    @Privileged("filesystem marks need CAP_SYS_ADMIN")
    void filesystemModeReportsEveryEntryWithItsFullName() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fanotify")) {
            Path root = tmpfs.path();
            assertWorkloadSeen(root, Options.watching(root).withScope(Scope.FILESYSTEM), Scope.FILESYSTEM);
        }
    }

    @Test
    @Privileged("a private tmpfs keeps other processes' events out of the comparison")
    void treeModeReportsEveryEntryWithItsFullName() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fanotify-tree")) {
            Path root = Files.createDirectory(tmpfs.path().resolve("tree"));
            assertWorkloadSeen(root, Options.watching(root).withScope(Scope.TREE), Scope.TREE);
        }
    }

    private static void assertWorkloadSeen(Path root, Options options, Scope expectedScope) throws Exception {
        RecordingListener listener = new RecordingListener();
        try (FanotifyWatcher watcher = FanotifyWatcher.start(options, listener)) {
            assertEquals(expectedScope, watcher.scope());
            Cmd.run(WAIT, "sh", "-c", MAKE_DIRECTORY, "sh", root.toString()).ok();
            assertTrue(listener.await(e -> e.path().equals(BytePath.of(root.resolve("sub"))) && e.has(CREATE), WAIT));
            Cmd.run(WAIT, "sh", "-c", WORKLOAD, "sh", root.toString()).ok();
            assertTrue(listener.await(e -> e.path().equals(BytePath.of(root.resolve("done"))) && e.has(CLOSE_WRITE), WAIT),
                    "no close_write of done; got " + listener.events());
            assertEquals(EXPECTED, listener.masksByPath(root), "events: " + listener.events());
            assertTrue(watcher.failure().isEmpty(), () -> "failed: " + watcher.failure());
        }
    }

    @Test
    @Privileged("filesystem marks need CAP_SYS_ADMIN")
    void filesOutsideTheWatchedTreeAndOwnEventsNeverAppear() throws Exception {
        try (Tmpfs tmpfs = Tmpfs.mount("fanotify-filter")) {
            Path inside = Files.createDirectory(tmpfs.path().resolve("inside"));
            Path outside = Files.createDirectory(tmpfs.path().resolve("outside"));
            RecordingListener listener = new RecordingListener();
            try (FanotifyWatcher ignored = FanotifyWatcher.start(
                    Options.watching(inside).withScope(Scope.FILESYSTEM), listener)) {
                Files.writeString(inside.resolve("own"), "written by the watching process");
                Cmd.run(WAIT, "sh", "-c", "echo x > \"$1\"/other; echo y > \"$2\"/mine", "sh",
                        outside.toString(), inside.toString()).ok();
                assertTrue(listener.await(e -> e.path().equals(BytePath.of(inside.resolve("mine"))) && e.has(CLOSE_WRITE), WAIT));
            }
            for (FileEvent event : listener.events()) {
                assertTrue(event.path().startsWith(BytePath.of(inside)), "outside the tree: " + event);
                assertFalse(event.path().endsWith("/own".getBytes(StandardCharsets.US_ASCII)), "own event: " + event);
            }
        }
    }

    @Test
    void treeModeReportsEntriesMadeInANewDirectoryBeforeItsMark(@TempDir Path root) throws Exception {
        RecordingListener listener = new RecordingListener();
        try (FanotifyWatcher watcher = FanotifyWatcher.start(Options.watching(root).withScope(Scope.TREE), listener)) {
            // mkdir -p and the write race the watcher: most entries exist before the new directory is marked
            Cmd.run(WAIT, "sh", "-c", "cd \"$1\" && mkdir -p a/b/c && echo x > a/b/c/f && echo y > a/b/g"
                    + " && touch done", "sh", root.toString()).ok();
            assertTrue(listener.await(e -> e.path().equals(BytePath.of(root.resolve("done"))) && e.has(CLOSE_WRITE), WAIT));
            Map<String, Long> masks = listener.masksByPath(root);
            for (String entry : new String[] {"a", "a/b", "a/b/c", "a/b/c/f", "a/b/g"}) {
                assertTrue((masks.getOrDefault(entry, 0L) & CREATE) != 0, entry + " not reported: " + masks);
            }
            // and the tree is watched below the new directories from then on
            Cmd.run(WAIT, "sh", "-c", "echo z > \"$1\"/a/b/c/later", "sh", root.toString()).ok();
            assertTrue(listener.await(e -> e.path().equals(BytePath.of(root.resolve("a/b/c/later"))) && e.has(CLOSE_WRITE), WAIT));
            assertTrue(watcher.failure().isEmpty());
        }
    }

    @Test
    void aThrowingListenerStopsTheReaderAndIsReported(@TempDir Path root) throws Exception {
        IllegalStateException thrown = new IllegalStateException("listener failed");
        RecordingListener throwing = new RecordingListener(event -> {
            throw thrown;
        });
        FanotifyWatcher watcher = FanotifyWatcher.start(Options.watching(root).withScope(Scope.TREE), throwing);
        try (watcher) {
            Cmd.run(WAIT, "touch", root.resolve("x").toString()).ok();
            assertTrue(watcher.join(WAIT), "reader still running");
            assertEquals(thrown, watcher.failure().orElseThrow());
        }
    }

    @Test
    void closeFromTheListenerStopsAfterTheCurrentEvent(@TempDir Path root) throws Exception {
        FanotifyWatcher[] self = new FanotifyWatcher[1];
        RecordingListener recorder = new RecordingListener(event -> self[0].close());
        self[0] = FanotifyWatcher.start(Options.watching(root).withScope(Scope.TREE), recorder);
        Cmd.run(WAIT, "touch", root.resolve("x").toString()).ok();
        assertTrue(self[0].join(WAIT), "reader still running");
        assertTrue(self[0].failure().isEmpty());
        assertFalse(recorder.events().isEmpty());
        self[0].close();
    }

    @Test
    void nonexistentPathIsAOneLineError() {
        FanotifyException e = assertThrows(FanotifyException.class,
                () -> FanotifyWatcher.start(Options.watching(Path.of("/nonexistent/gleaner-" + ProcessHandle.current().pid())),
                        new RecordingListener()));
        assertTrue(e.getMessage().startsWith("cannot watch /nonexistent/gleaner-"), e.getMessage());
        assertTrue(e.getMessage().endsWith("no such file or directory"), e.getMessage());
    }

    @Test
    void closeStopsTheReaderThreadPromptly(@TempDir Path dir) throws Exception {
        FanotifyWatcher watcher = FanotifyWatcher.start(Options.watching(dir).withScope(Scope.TREE), new RecordingListener());
        watcher.close();
        assertTrue(watcher.join(Duration.ofSeconds(1)));
        watcher.close();
    }
}
