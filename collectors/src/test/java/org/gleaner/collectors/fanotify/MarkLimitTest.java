package org.gleaner.collectors.fanotify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ENOSPC from the mark limit, tested without touching the machine's limit: inside a new user
 * namespace user.max_fanotify_marks is that namespace's own, and fanotify there is unprivileged
 * (tree mode), one mark per directory.
 */
class MarkLimitTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    @Privileged("the build's classpath under /root is readable by root only")
    void tooManyDirectoriesForTheMarkLimitIsOneLineSayingWhatToDo(@TempDir Path root) throws Exception {
        Requirements.requireTool("unshare");
        for (int i = 0; i < 10; i++) {
            Files.createDirectory(root.resolve("d" + i));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Cmd.Result result = Cmd.run(LIMIT, List.of("unshare", "--user", "--map-root-user", "sh", "-c",
                "echo 5 > /proc/sys/user/max_fanotify_marks && exec \"$@\"", "sh",
                java, "-cp", System.getProperty("java.class.path"), TreeWatchMain.class.getName(), root.toString(), "stop"),
                null).ok();
        assertEquals("error cannot watch " + root + "/d4: too many fanotify marks for this user (limit: sysctl"
                + " fs.fanotify.max_user_marks, or user.max_fanotify_marks inside a user namespace): raise it or"
                + " watch a smaller tree\n", result.stdout().replaceAll("/d[0-9]:", "/d4:"));
    }
}
