package org.gleaner.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.FanotifyQueue;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fanotify collector inside the real daemon, fed by real file activity. */
@Privileged("fanotify filesystem marks need CAP_SYS_ADMIN")
class FanotifyCollectorAgentTest {

    private static final Pattern LINE = Pattern.compile("^\\S+?\\.fanotify\\.(\\S+) (\\S+) (\\d+)$");

    @TempDir
    Path configDir;

    @Test
    void theAgentReportsFileEventRatesWhileFilesAreWritten() throws Exception {
        FanotifyQueue.requireUsableLimit();
        // A private filesystem, so that the machine's own activity cannot overflow the queue.
        try (Tmpfs tmpfs = Tmpfs.mount("fanotify-agent")) {
            Path config = Files.writeString(configDir.resolve("gleaner.yaml"),
                    "collectors:\n  fanotify:\n    paths: [\"" + tmpfs.path() + "\"]\n    top: 5\n");
            check(tmpfs.path(), config);
        }
    }

    private void check(Path temp, Path config) throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get() && i < 100_000; i++) {
                try {
                    Path file = temp.resolve("f" + (i % 50));
                    Files.writeString(file, "x");
                    Files.delete(file);
                    Thread.sleep(2);
                } catch (Exception e) {
                    return;
                }
            }
        });
        writer.start();
        Cmd.Result agent;
        try {
            agent = Cmd.run(Duration.ofSeconds(60), Requirements.repoRoot().resolve("bin/gleaner").toString(),
                    "agent", "--config", config.toString(), "--stdout", "--cycles", "2", "--collectors", "fanotify", "-i", "1s").ok();
        } finally {
            writing.set(false);
            writer.join(5000);
        }
        Map<String, Double> last = new HashMap<>();
        for (String line : agent.stdout().split("\n")) {
            Matcher matcher = LINE.matcher(line);
            if (matcher.matches()) {
                last.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
            }
        }
        for (String type : new String[] {"open", "read", "write", "create", "delete", "move"}) {
            assertTrue(last.containsKey("type." + type), "type." + type + " missing: " + agent.stdout());
        }
        assertTrue(last.get("type.create") > 10, "creates per second: " + last.get("type.create"));
        assertTrue(last.get("type.delete") > 10, "deletes per second: " + last.get("type.delete"));
        assertTrue(last.containsKey("process.top.java"), "the writer is a java process: " + last.keySet());
        String mountName = temp.getFileName().toString();
        assertTrue(last.keySet().stream().anyMatch(name -> name.startsWith("mount.top.") && name.contains(mountName)
                && last.get(name) > 10), "the tmpfs mount " + mountName + ": " + last);
        assertTrue(last.containsKey("process.other") && last.containsKey("mount.other"));
        assertEquals(0.0, last.get("overflows"));
    }
}
