package org.gleaner.collectors.syscallio;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gleaner.testkit.TestCgroup;

/**
 * A scope made for one test in the unified (v2) cgroup hierarchy, named after the test's pid, and
 * the shell scripts started inside it. Closing stops what they left running and removes the scope.
 */
final class TestUnit implements AutoCloseable {
    final String scope;
    private final TestCgroup cgroup;
    private final List<Process> started = new ArrayList<>();

    TestUnit(String purpose) throws IOException {
        scope = "gleaner-test-" + purpose + "-" + ProcessHandle.current().pid();
        cgroup = TestCgroup.unified(scope + ".scope");
    }

    /** The unit's name as {@link SyscallIoCollector.Settings#systemdUnits()} gives it. */
    List<String> unitName() {
        return List.of("scopes", scope);
    }

    /** The unit's cgroup.procs: the processes in it now. */
    java.nio.file.Path procs() {
        return cgroup.dir().resolve("cgroup.procs");
    }

    /** Starts {@code sh -c script} after moving the shell into this unit (nothing runs outside it). */
    Process start(String script) throws IOException {
        Process process = new ProcessBuilder("sh", "-c",
                cgroup.shellEnter() + " || exit 97; exec sh -c '" + script.replace("'", "'\\''") + "'")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(process);
        return process;
    }

    /** Runs {@code script} inside this unit to completion (bounded by {@code limit}) and checks it succeeded. */
    void run(String script, Duration limit) throws IOException, InterruptedException {
        Process process = start(script);
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("timed out after " + limit + ": " + script);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("exit " + process.exitValue() + ": " + script);
        }
    }

    @Override
    public void close() throws IOException {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        cgroup.close();
    }
}
