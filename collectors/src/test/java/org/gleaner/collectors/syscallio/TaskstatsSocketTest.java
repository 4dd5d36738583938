package org.gleaner.collectors.syscallio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Privileged;
import org.junit.jupiter.api.Test;

/** The registered socket against the real kernel. */
class TaskstatsSocketTest {

    @Test
    @Privileged("taskstats listeners need CAP_NET_ADMIN")
    void exitOfAProcessWeStartArrivesWithItsPidNameAndRoundedCounters() throws Exception {
        try (TaskstatsSocket socket = TaskstatsSocket.open(8 << 20)) {
            Process dd = new ProcessBuilder("dd", "if=/dev/zero", "of=/dev/null", "bs=1M", "count=1", "status=none").start();
            long pid = dd.pid();
            assertEquals(0, dd.waitFor());
            ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
            TaskExit found = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (found == null && System.nanoTime() < deadline) {
                int length = socket.receive(buffer, true);
                if (length > 0) {
                    for (TaskExit exit : TaskstatsMessages.parse(buffer, socket.familyId()).exits()) {
                        if (exit.pid() == pid) {
                            found = exit;
                        }
                    }
                }
            }
            assertTrue(found != null, "no exit notification for dd " + pid);
            assertEquals("dd", found.comm());
            assertEquals(pid, found.tgid());
            assertTrue(found.groupDead());
            assertEquals(1 << 20, found.counters().get(1), "wchar, rounded down to KiB: " + found);
            assertEquals(ProcessHandle.current().pid(), found.ppid());
        }
    }

    @Test
    @Privileged("taskstats listeners need CAP_NET_ADMIN")
    void aFullSocketIsReportedAsAnOverflowNotSilently() throws Exception {
        // The kernel doubles the request and enforces a floor of a few KiB: a handful of ~600-byte
        // notifications fill it while nobody reads.
        try (TaskstatsSocket socket = TaskstatsSocket.open(1024)) {
            assertTrue(socket.receiveBufferBytes() < 16384, "receive buffer " + socket.receiveBufferBytes());
            Cmd.run(Duration.ofSeconds(30), "sh", "-c", "i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done").ok();
            ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
            int overflows = 0;
            for (int received = 0; received < 10_000; received++) {
                int length = socket.receive(buffer, false);
                if (length == TaskstatsSocket.OVERFLOW) {
                    overflows++;
                } else if (length == 0) {
                    break;
                }
            }
            assertTrue(overflows >= 1, "200 exits into a full socket gave no ENOBUFS");
        }
    }
}
