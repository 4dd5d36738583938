package org.gleaner.collectors.fanotify;

import static org.gleaner.collectors.fanotify.FileEvent.CLOSE_WRITE;
import static org.gleaner.collectors.fanotify.FileEvent.CREATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Options;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Scope;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.text.BytePath;
import org.gleaner.testkit.BtrfsSubvolume;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.junit.jupiter.api.Test;

class BtrfsSubvolumeTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    @Privileged("mounting a btrfs image needs root")
    void filesystemMarkOnASubvolumeIsExdevAndAutoFallsBackToTree() throws Exception {
        try (BtrfsSubvolume btrfs = BtrfsSubvolume.create("fanotify-btrfs")) {
            Path sub = btrfs.subvolume();
            FanotifyException refused = assertThrows(FanotifyException.class, () -> FanotifyWatcher.start(
                    Options.watching(sub).withScope(Scope.FILESYSTEM), new RecordingListener()));
            assertEquals(Fanotify.EXDEV, refused.errno());
            assertEquals("cannot watch " + sub + ": it is on a btrfs subvolume whose fsid differs from its filesystem's:"
                    + " watch it in mount mode (no create/delete/rename events) or tree mode", refused.getMessage());

            RecordingListener listener = new RecordingListener();
            try (FanotifyWatcher watcher = FanotifyWatcher.start(Options.watching(sub), listener)) {
                assertEquals(Scope.TREE, watcher.scope());
                Cmd.run(WAIT, "sh", "-c", "echo x > \"$1\"/on-subvolume", "sh", sub.toString()).ok();
                assertTrue(listener.await(e -> e.path().equals(BytePath.of(sub.resolve("on-subvolume"))) && e.has(CLOSE_WRITE), WAIT),
                        "events: " + listener.events());
                assertTrue(listener.events().stream().anyMatch(e -> e.path().equals(BytePath.of(sub.resolve("on-subvolume")))
                        && e.has(CREATE)), "events: " + listener.events());
            }
        }
    }
}
