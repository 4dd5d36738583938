package org.gleaner.collectors.fileevents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gleaner.collectors.MetricSink;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.FanotifyQueue;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Tmpfs;
import org.junit.jupiter.api.Test;

@Privileged("fanotify filesystem marks need CAP_SYS_ADMIN")
class FileEventCollectorTest {


    private static Map<String, Long> collect(FileEventCollector collector) throws Exception {
        Map<String, Long> values = new HashMap<>();
        collector.collect(new MetricSink() {
            @Override
            public void gauge(long readMillis, double value, String... path) {
                throw new AssertionError("only counters are expected: " + String.join(".", path));
            }

            @Override
            public void counter(long readMillis, long value, String... path) {
                assertEquals(null, values.put(String.join("|", path), value), "reported twice");
            }
        });
        return values;
    }

    @Test
    void countsARealProcessFileActivityByTypeNameAndMount() throws Exception {
        FanotifyQueue.requireUsableLimit();
        // A private filesystem: the mark sees only this test's activity, so nothing is lost to overflows.
        try (Tmpfs tmpfs = Tmpfs.mount("file-events");
                FileEventCollector collector = FileEventCollector.start(List.of(tmpfs.path()), 1000)) {
            Path temp = tmpfs.path();
            Map<String, Long> before = collect(collector);
            // A named, long-enough-lived writer: 20 files created, written, renamed and deleted.
            String script = "cd '" + temp + "'; for i in $(seq 1 20); do echo x > f$i; cat f$i > /dev/null;"
                    + " mv f$i g$i; rm g$i; done; sleep 0.5; :";
            Cmd.run(Duration.ofSeconds(20), "bash", "-c", script).ok();
            Thread.sleep(300);
            Map<String, Long> after = collect(collector);
            for (String type : List.of("create", "delete", "move", "write", "open", "read")) {
                long delta = after.get("type|" + type) - before.get("type|" + type);
                assertTrue(delta >= 20, type + " grew by " + delta);
            }
            long byBash = after.getOrDefault("process|top|bash", 0L) - before.getOrDefault("process|top|bash", 0L);
            assertTrue(byBash >= 20, "bash's own events (its echo writes each file): " + byBash);
            String mount = "mount|top|" + temp.toRealPath();
            assertTrue(after.getOrDefault(mount, 0L) - before.getOrDefault(mount, 0L) >= 20 * 4, after.toString());
            assertTrue(after.containsKey("overflows") && after.containsKey("process|other") && after.containsKey("mount|other"));
            after.forEach((name, value) -> assertTrue(value >= before.getOrDefault(name, 0L), name + " went down"));
            assertEquals(0, after.get("overflows"));
        }
    }
}
