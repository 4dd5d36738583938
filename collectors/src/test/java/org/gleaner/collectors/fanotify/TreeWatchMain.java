package org.gleaner.collectors.fanotify;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.gleaner.collectors.text.BytePath;
import org.gleaner.collectors.fanotify.FanotifyWatcher.Options;

/**
 * Run as another (unprivileged) user by {@link UnprivilegedTreeTest}: watches ARGS[0] with AUTO
 * scope, prints "scope SCOPE" once watching, then "MASK PID PATH" per event, and exits when
 * ARGS[1] is closed after writing (or after 10 s).
 */
public final class TreeWatchMain {
    private TreeWatchMain() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Path stop = root.resolve(args[1]);
        CountDownLatch stopSeen = new CountDownLatch(1);
        FileEventListener printer = new FileEventListener() {
            @Override
            public void onEvent(FileEvent event) {
                System.out.println(Long.toHexString(event.mask()) + " " + event.pid() + " " + event.path());
                if (event.path().equals(BytePath.of(stop)) && event.has(FileEvent.CLOSE_WRITE)) {
                    stopSeen.countDown();
                }
            }

            @Override
            public void onOverflow() {
                System.out.println("overflow");
            }
        };
        try (FanotifyWatcher watcher = FanotifyWatcher.start(Options.watching(root), printer)) {
            System.out.println("scope " + watcher.scope());
            System.out.flush();
            stopSeen.await(10, TimeUnit.SECONDS);
        } catch (FanotifyException e) {
            System.out.println("error " + e.getMessage());
        }
        System.out.flush();
    }
}
