package org.gleaner.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.testkit.CProgram;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.Launcher;
import org.gleaner.testkit.MemHog;
import org.gleaner.testkit.NamedExecutable;
import org.gleaner.testkit.Privileged;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;

/** ps-mem as an unprivileged user, and on a process really swapped out. */
class PsMemPrivilegedTest {
    private static final long TEST_PID = ProcessHandle.current().pid();
    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups");

    @Test
    @Privileged("drops to nobody with setpriv")
    void nonRootShowsItsOwnProcessesAndCountsTheOthers() {
        Requirements.requireTool("setpriv");
        String name = "psmem-nobody-" + TEST_PID;
        List<String> command = new java.util.ArrayList<>(AS_NOBODY);
        command.addAll(MemHog.command(PsMemLauncher.memhogNamed(name), 2, 0, 0));
        try (MemHog hog = new MemHog(command)) {
            int pid = hog.touch(Duration.ofSeconds(20)).get(0);
            Cmd.Result result = PsMemLauncher.runAs(AS_NOBODY, "--flat", name).ok();
            assertTrue(result.stdout().contains(name + "." + pid + ".[anon].private: 2.0 MiB\n"), result.stdout());
            assertTrue(result.stderr().matches("ps-mem: could not read ([2-9]|[1-9][0-9]+) processes \\(permission denied: "
                    + "run as root to see other users' processes\\)\n"),
                    result.stderr());
        }
    }

    @Test
    @Privileged("makes a swap file, swapon, and a v1 memory cgroup")
    void swappedOutProcessShowsItsSwap() throws Exception {
        Path cgroups = Path.of("/sys/fs/cgroup/memory");
        Requirements.require(Files.isWritable(cgroups), "a writable v1 memory cgroup hierarchy");
        Path dir = Files.createTempDirectory("gleaner-swap-");
        Path swapFile = dir.resolve("swap");
        Path cgroup = cgroups.resolve("gleaner-test-" + TEST_PID);
        String name = "psmem-swapped-" + TEST_PID;
        boolean swapOn = false;
        try {
            // dd, not truncate: swapon rejects files with holes
            Cmd.run(Duration.ofSeconds(60), "dd", "if=/dev/zero", "of=" + swapFile, "bs=1M", "count=256", "status=none").ok();
            Files.setPosixFilePermissions(swapFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Cmd.run(Duration.ofSeconds(30), "mkswap", swapFile.toString()).ok();
            Cmd.run(Duration.ofSeconds(30), "swapon", swapFile.toString()).ok();
            swapOn = true;
            Files.createDirectory(cgroup);
            Files.writeString(cgroup.resolve("memory.limit_in_bytes"), "32M");
            try (MemHog hog = new MemHog(MemHog.command(PsMemLauncher.memhogNamed(name), 96, 0, 0))) {
                Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(hog.pid()));
                int pid = hog.touch(Duration.ofSeconds(60)).get(0);
                long before = vmSwap(pid);
                Cmd.Result result = PsMemLauncher.run("--swap", "-n", "500", "--flat", name).ok();
                long after = vmSwap(pid);
                assertTrue(before > 32L << 20, "the helper swapped: VmSwap " + before);
                String line = result.stdout().lines().filter(l -> l.startsWith(name + "." + pid + ".-stats.swap: "))
                        .findFirst().orElseThrow(() -> new AssertionError(result.stdout()));
                double shown = PsMemLauncher.bytes(line.substring(line.indexOf(": ") + 2));
                double tolerance = 0.1 * (1 << 20);
                assertTrue(shown >= Math.min(before, after) - tolerance && shown <= Math.max(before, after) + tolerance,
                        "ps-mem says " + line + ", VmSwap was " + before + " then " + after);
                assertTrue(result.stdout().contains(name + "." + pid + ".[anon].swap: "), "the swapped mapping is listed");
                assertTrue(result.stdout().lines().allMatch(l -> !l.endsWith(".swap: 0") || l.contains(".-stats.")),
                        "mappings with no swap are hidden by --swap -n 500: " + result.stdout());
            }
        } finally {
            try {
                removeCgroup(cgroup);
            } finally {
                if (swapOn) {
                    Cmd.run(Duration.ofSeconds(120), "swapoff", swapFile.toString());
                }
                Files.deleteIfExists(swapFile);
                Files.deleteIfExists(dir);
            }
        }
    }

    /** Touches MIB of private memory, forks one child that shares it copy-on-write, and waits (MemHog's protocol). */
    private static final String COW_HOG = """
            #define _GNU_SOURCE
            #include <signal.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <sys/mman.h>
            #include <sys/prctl.h>
            #include <sys/wait.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                size_t bytes = (size_t)atol(argv[1]) << 20;
                char line[64];
                if (argc < 2 || !fgets(line, sizeof line, stdin))
                    return 1;
                char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (memory == MAP_FAILED)
                    return 1;
                for (size_t i = 0; i < bytes; i += 4096)
                    memory[i] = (char)(i >> 12) | 1;
                pid_t child = fork();
                if (child == 0) {
                    prctl(PR_SET_PDEATHSIG, SIGKILL);
                    for (;;)
                        pause();
                }
                printf("ready %d %d\\n", (int)getpid(), (int)child);
                fflush(stdout);
                while (fgets(line, sizeof line, stdin))
                    ;
                kill(child, SIGKILL);
                waitpid(child, NULL, 0);
                return 0;
            }
            """;

    /**
     * 48 MiB touched, then one fork, in a 24 MiB memory cgroup with swap: the pages in swap are in
     * the Swap of both processes, but in swap once. The group, the tree and the summary's total, and
     * the agent's memory collector, must count them once (SwapPss), not once per process.
     */
    @Test
    @Privileged("makes a swap file, swapon, and a v1 memory cgroup")
    void swappedCopyOnWritePagesCountOnce() throws Exception {
        Path cgroups = Path.of("/sys/fs/cgroup/memory");
        Requirements.require(Files.isWritable(cgroups), "a writable v1 memory cgroup hierarchy");
        Path dir = Files.createTempDirectory("gleaner-swap-");
        Path swapFile = dir.resolve("swap");
        Path cgroup = cgroups.resolve("gleaner-cow-" + TEST_PID);
        String name = "psmem-cow-" + TEST_PID;
        boolean swapOn = false;
        try {
            Cmd.run(Duration.ofSeconds(60), "dd", "if=/dev/zero", "of=" + swapFile, "bs=1M", "count=128", "status=none").ok();
            Files.setPosixFilePermissions(swapFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Cmd.run(Duration.ofSeconds(30), "mkswap", swapFile.toString()).ok();
            Cmd.run(Duration.ofSeconds(30), "swapon", swapFile.toString()).ok();
            swapOn = true;
            Files.createDirectory(cgroup);
            Files.writeString(cgroup.resolve("memory.limit_in_bytes"), "24M");
            Path binary = NamedExecutable.copy(CProgram.compile("cowhog", COW_HOG), name);
            try (MemHog hog = new MemHog(List.of(binary.toString(), "48"))) {
                Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(hog.pid()));
                List<Integer> pids = hog.touch(Duration.ofSeconds(60));
                long swapped = vmSwap(pids.get(0));
                assertTrue(swapped > 16L << 20, "the helper swapped: VmSwap " + swapped);
                double tolerance = 1 << 20;
                assertEquals(swapped, vmSwap(pids.get(1)), tolerance, "the child's swap is the parent's pages");
                String tree = PsMemLauncher.run("--flat", name).ok().stdout();
                double group = sizeAt(tree, name + ".-stats.swap: ");
                assertEquals(swapped, group, tolerance, "the group's swap counts each swapped page once: " + tree);
                double processes = sizeAt(tree, name + "." + pids.get(0) + ".-stats.swap: ")
                        + sizeAt(tree, name + "." + pids.get(1) + ".-stats.swap: ");
                assertEquals(swapped, processes, tolerance, "the processes' swap adds up to it: " + tree);
                String summary = PsMemLauncher.run("--summary", name).ok().stdout();
                String[] lines = summary.split("\n");
                String total = lines[lines.length - 2].trim();
                assertEquals(swapped, PsMemLauncher.bytes(total.substring(total.lastIndexOf("  ") + 2).trim()), tolerance,
                        "the summary's swap total: " + summary);
                Path config = dir.resolve("gleaner.yaml");
                Files.writeString(config, "prefix: t\ncollectors:\n  memory: {top: 10000, timeout: 2900ms, cycle_budget: 2800ms}\n");
                Cmd.Result agent = Launcher.run("gleaner", Duration.ofSeconds(60), List.of("agent",
                        "--stdout", "--cycles", "1", "--collectors", "memory", "-i", "3s", "--config", config.toString())).ok();
                String metric = "t.memory.groups." + name + ".swap ";
                String line = agent.stdout().lines().filter(l -> l.startsWith(metric)).findFirst()
                        .orElseThrow(() -> new AssertionError("no " + metric + "in " + agent.stdout() + agent.stderr()));
                assertEquals(swapped, Double.parseDouble(line.split(" ")[1]), tolerance, "the memory collector: " + line);
            }
        } finally {
            try {
                removeCgroup(cgroup);
            } finally {
                if (swapOn) {
                    Cmd.run(Duration.ofSeconds(120), "swapoff", swapFile.toString());
                }
                Files.deleteIfExists(swapFile);
                Files.deleteIfExists(dir.resolve("gleaner.yaml"));
                Files.deleteIfExists(dir);
            }
        }
    }

    private static double sizeAt(String flat, String prefix) {
        String line = flat.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + flat));
        return PsMemLauncher.bytes(line.substring(prefix.length()));
    }

    private static long vmSwap(int pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            if (line.startsWith("VmSwap:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("no VmSwap for " + pid);
    }

    /** rmdir fails while the exiting helper is still charged to the cgroup: retry briefly. */
    private static void removeCgroup(Path cgroup) throws InterruptedException {
        for (int attempt = 0; attempt < 50 && Files.exists(cgroup); attempt++) {
            try {
                Files.delete(cgroup);
            } catch (IOException busy) {
                Thread.sleep(100);
            }
        }
        assertTrue(Files.notExists(cgroup), "cgroup " + cgroup + " left behind");
    }
}
