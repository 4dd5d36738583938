package org.gleaner.collectors.fanotify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessNamesTest {

    @Test
    void namesARunningProcessAndRemembersItAfterItExits() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            ProcessNames names = new ProcessNames();
            int pid = (int) sleeper.pid();
            assertEquals("sleep", names.comm(pid));
            sleeper.destroyForcibly();
            sleeper.waitFor(5, TimeUnit.SECONDS);
            names.newBatch();
            assertEquals("sleep", names.comm(pid), "last name seen for an exited pid");
            assertEquals(ProcessNames.UNKNOWN, new ProcessNames().comm(pid), "never seen, now gone");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aNameIsReadAgainInEachBatchBecauseExecKeepsThePid() throws Exception {
        // the shell execs sleep after 0.3 s: same pid, new name
        Process process = new ProcessBuilder("sh", "-c", "sleep 0.3; exec sleep 30").start();
        try {
            ProcessNames names = new ProcessNames();
            int pid = (int) process.pid();
            assertEquals("sh", names.comm(pid));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String name = "sh";
            while (name.equals("sh") && System.nanoTime() < deadline) {
                Thread.sleep(20);
                assertEquals("sh", names.comm(pid), "stable within a batch");
                names.newBatch();
                name = names.comm(pid);
            }
            assertEquals("sleep", name);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void pidZeroIsUnknown() {
        assertEquals(ProcessNames.UNKNOWN, new ProcessNames().comm(0));
    }
}
