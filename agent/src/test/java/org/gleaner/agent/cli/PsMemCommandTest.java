package org.gleaner.agent.cli;

import static org.gleaner.agent.cli.PsMemLauncher.bytes;
import static org.gleaner.agent.cli.PsMemLauncher.jsonQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gleaner.agent.psmem.Text;
import org.gleaner.collectors.text.ByteText;
import org.gleaner.testkit.CProgram;
import org.gleaner.testkit.Cmd;
import org.gleaner.testkit.MemHog;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** bin/ps-mem end to end, on processes with known memory. */
class PsMemCommandTest {
    private static final double MIB = 1024 * 1024;
    private static final double OVERHEAD = 1 * MIB;
    private static final long TEST_PID = ProcessHandle.current().pid();

    private static Map<String, String> flat(String stdout) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : stdout.split("\n")) {
            int separator = line.lastIndexOf(": ");
            values.put(line.substring(0, separator), line.substring(separator + 2));
        }
        return values;
    }

    private static void assertBetween(double low, double high, double actual, String what) {
        assertTrue(actual >= low && actual <= high, what + " = " + actual + ", expected " + low + ".." + high);
    }

    @Test
    void forkedProcessesInTreeFlatJsonAndSummary() {
        String name = "psmem-hog-" + TEST_PID;
        Path memhog = PsMemLauncher.memhogNamed(name);
        try (MemHog hog = new MemHog(MemHog.command(memhog, 8, 16, 2))) {
            List<Integer> pids = hog.touch(Duration.ofSeconds(20));

            Map<String, String> flat = flat(PsMemLauncher.run("--flat", name).ok().stdout());
            assertBetween(24 * MIB, 24 * MIB + 3 * OVERHEAD, bytes(flat.get(name + ".-stats.private")), "group private");
            assertBetween(16 * MIB, 16 * MIB + 3 * MIB, bytes(flat.get(name + ".-stats.shared")),
                    "group shared: the region once, and libc");
            assertEquals("0", flat.get(name + ".-stats.swap"));
            for (int pid : pids) {
                String process = name + "." + pid;
                assertBetween(8 * MIB, 8 * MIB + OVERHEAD, bytes(flat.get(process + ".-stats.private")), "private");
                assertEquals(memhog + " 8 16 2", flat.get(process + ".-cmdline"));
                assertEquals("16.0 MiB", flat.get(process + ".'/dev/zero (deleted)'.shared"));
                assertEquals("0", flat.get(process + ".'/dev/zero (deleted)'.private"));
                assertEquals("8.0 MiB", flat.get(process + ".[anon].private"), "the touched private memory");
                assertTrue(flat.get(process + ".'/usr/lib/x86_64-linux-gnu/libc.so.6'.-shared-with").contains(", "),
                        "libc is mapped by other commands too");
            }

            List<String> tree = List.of(PsMemLauncher.run(name).ok().stdout().split("\n"));
            assertEquals(name + ":", tree.get(0));
            assertEquals(List.of("  -stats:", "    private: " + flat.get(name + ".-stats.private"),
                    "    shared: " + flat.get(name + ".-stats.shared"), "    swap: 0", "  " + pids.get(0) + ":", "    -stats:"),
                    tree.subList(1, 7));
            int region = tree.indexOf("    '/dev/zero (deleted)':");
            assertTrue(region > 0, String.join("\n", tree));
            assertEquals(List.of("      private: 0", "      shared: 16.0 MiB", "      swap: 0"), tree.subList(region + 1, region + 4));

            String json = PsMemLauncher.run("--json", name).ok().stdout();
            assertEquals("1", jsonQuery(json, "len(d['groups'])"));
            assertEquals("3", jsonQuery(json, "len(d['groups'][0]['processes'])"));
            assertBetween(24 * MIB, 24 * MIB + 3 * OVERHEAD,
                    Double.parseDouble(jsonQuery(json, "d['groups'][0]['usage']['private']")), "JSON group private");
            assertEquals(Integer.toString(16 << 20), jsonQuery(json,
                    "[m for m in d['groups'][0]['processes'][0]['mappings'] if m['name']=='/dev/zero (deleted)'][0]['usage']['shared']"));
            assertEquals("0", jsonQuery(json, "d['unreadable']['vanished'] * 0"));

            String summary = PsMemLauncher.run("--summary", name).ok().stdout();
            assertTrue(summary.lines().anyMatch(line -> line.endsWith(" " + name + " (3)")), summary);
        }
    }

    @Test
    void minimumHidesSmallEntries() {
        String name = "psmem-min-" + TEST_PID;
        try (MemHog hog = new MemHog(MemHog.command(PsMemLauncher.memhogNamed(name), 4, 0, 0))) {
            int pid = hog.touch(Duration.ofSeconds(20)).get(0);
            Map<String, String> flat = flat(PsMemLauncher.run("--private", "-n", "2048", "--flat", name).ok().stdout());
            assertBetween(4 * MIB, 4 * MIB + OVERHEAD, bytes(flat.get(name + ".-stats.private")), "group private");
            assertEquals("4.0 MiB", flat.get(name + "." + pid + ".[anon].private"));
            assertTrue(flat.keySet().stream().allMatch(key -> key.startsWith(name + ".-stats.") || key.startsWith(name + "." + pid + ".-")
                    || key.startsWith(name + "." + pid + ".[anon].")), "only the 4 MiB mapping is above 2 MiB: " + flat.keySet());
            assertTrue(PsMemLauncher.run("--private", "-n", "8192", "--flat", name).ok().stdout().isEmpty(), "nothing above 8 MiB");
        }
    }

    @Test
    void hostileNamesPrintUnambiguously() {
        String name = "ho st.i'l\"e\nx.-stats-" + TEST_PID;
        String comm = "co\nm.m'x";
        Path memhog = PsMemLauncher.memhogNamed(name);
        try (MemHog hog = new MemHog(MemHog.command(memhog, 1, 0, 0, comm, "a b", "new\nline: 1"))) {
            String pid = Integer.toString(hog.touch(Duration.ofSeconds(20)).get(0));
            String quoted = Text.name(human(name));
            assertEquals("'ho st.i\\x27l\"e\\x0ax.-stats-" + TEST_PID + "'", quoted);

            String flat = PsMemLauncher.run("--flat", "--pid", pid).ok().stdout();
            for (String line : flat.split("\n")) {
                assertTrue(line.startsWith(quoted + ".-stats.") || line.startsWith(quoted + "." + pid + "."), line);
            }
            assertTrue(flat.contains(quoted + "." + pid + ".-cmdline: " + Text.quoted(human(memhog.toString()))
                    + " 1 0 0 'co\\x0am.m\\x27x' 'a b' 'new\\x0aline: 1'\n"), flat);

            String[] tree = PsMemLauncher.run("--pid", pid).ok().stdout().split("\n");
            assertEquals(quoted + ":", tree[0]);
            for (int i = 1; i < tree.length; i++) {
                assertTrue(tree[i].startsWith("  "), "every further line is indented: " + tree[i]);
            }

            String json = PsMemLauncher.run("--json", "--pid", pid).ok().stdout();
            assertEquals(jsonString(human(name)), jsonQuery(json, "d['groups'][0]['name']"));
            assertEquals(jsonString(base64(name)), jsonQuery(json, "d['groups'][0]['name_base64']"));
            assertEquals(jsonString(human(comm)), jsonQuery(json, "d['groups'][0]['processes'][0]['comm']"));
            assertEquals(jsonString(human("new\nline: 1")), jsonQuery(json, "d['groups'][0]['processes'][0]['cmdline'][-1]"));
            assertEquals(jsonString(base64("new\nline: 1")), jsonQuery(json, "d['groups'][0]['processes'][0]['cmdline_base64'][-1]"));

            String summary = PsMemLauncher.run("--summary", "--pid", pid).ok().stdout();
            assertTrue(summary.contains(" " + quoted + " (1)\n"), summary);
            assertEquals(6, summary.split("\n").length, "header, blank, one program, rule, total, rule: " + summary);
        }
    }

    @Test
    void argumentsThatAreNotUtf8KeepTheirBytes() {
        Path memhog = PsMemLauncher.memhogNamed("psmem-bytes-" + TEST_PID);
        List<String> viaShell = List.of("bash", "-c", "exec \"$0\" 1 0 0 comm \"$(printf 'bad\\377byte')\"", memhog.toString());
        try (MemHog hog = new MemHog(viaShell)) {
            String pid = Integer.toString(hog.touch(Duration.ofSeconds(20)).get(0));
            String flat = PsMemLauncher.run("--flat", "--pid", pid).ok().stdout();
            assertTrue(flat.contains(".-cmdline: " + memhog + " 1 0 0 comm 'bad\\xffbyte'\n"), flat);
            String json = PsMemLauncher.run("--json", "--pid", pid).ok().stdout();
            assertEquals("\"bad\\\\xffbyte\"", jsonQuery(json, "d['groups'][0]['processes'][0]['cmdline'][-1]"));
            assertEquals(jsonString(Base64.getEncoder().encodeToString(new byte[] {'b', 'a', 'd', (byte) 0xff, 'b', 'y', 't', 'e'})),
                    jsonQuery(json, "d['groups'][0]['processes'][0]['cmdline_base64'][-1]"));
        }
    }

    /** Executables named with the bytes ff fe and fe ff: two groups, each shown by its own bytes. */
    @Test
    void groupsAreKeyedByTheirBytes() throws Exception {
        Path dir = Files.createTempDirectory("psmem-bytes-");
        Path memhog = CProgram.bundled("memhog");
        Cmd.run(Duration.ofSeconds(20), "sh", "-c", "cd \"$1\" && cp \"$2\" \"$(printf '\\377\\376bad')\""
                + " && cp \"$2\" \"$(printf '\\376\\377bad')\" && chmod a+rx .", "sh", dir.toString(), memhog.toString()).ok();
        String script = "cd \"$1\" && exec \"./$(printf \"\\\\$2\")bad\" 1 0 0";
        try (MemHog first = new MemHog(List.of("bash", "-c", script, "x", dir.toString(), "377\\376"));
                MemHog second = new MemHog(List.of("bash", "-c", script, "x", dir.toString(), "376\\377"))) {
            String firstPid = Integer.toString(first.touch(Duration.ofSeconds(20)).get(0));
            String secondPid = Integer.toString(second.touch(Duration.ofSeconds(20)).get(0));
            String flat = PsMemLauncher.run("--flat", "--pid", firstPid + "," + secondPid).ok().stdout();
            assertTrue(flat.contains("'\\xff\\xfebad'." + firstPid + ".-stats.private: "), flat);
            assertTrue(flat.contains("'\\xfe\\xffbad'." + secondPid + ".-stats.private: "), flat);
            String summary = PsMemLauncher.run("--summary", "--pid", firstPid + "," + secondPid).ok().stdout();
            assertTrue(summary.contains(" '\\xff\\xfebad' (1)\n") && summary.contains(" '\\xfe\\xffbad' (1)\n"), summary);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    private static String human(String text) {
        return ByteText.human(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void vanishedProcessIsSkipped() throws Exception {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        Cmd.Result result = PsMemLauncher.run("--pid", Long.toString(process.pid())).ok();
        assertEquals("", result.stdout());
        assertEquals("ps-mem: no such user process: " + process.pid() + "\n", result.stderr());
    }

    @Test
    void readerClosingTheOutputEarlyIsNotAnError() {
        Requirements.require(Files.isReadable(Requirements.repoRoot().resolve("agent/target/gleaner.jar")), "jar built");
        String psMem = Requirements.repoRoot().resolve("bin/ps-mem").toString();
        Cmd.Result result = Cmd.run(Duration.ofSeconds(60), "bash", "-c", "set -o pipefail; \"$0\" | head -c 1 >/dev/null", psMem);
        assertEquals(0, result.exit(), result.toString());
        // A process caught mid-exec (or in another user namespace) may refuse even root: that note is fine.
        assertTrue(result.stderr().lines().allMatch(line -> line.matches("ps-mem: could not read \\d+ process(es)? \\(.*\\)")),
                result.stderr());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-p -s", "-n abc", "-n -1", "--pid x", "--pid 0", "a b", "--flat --json", "--summary --flat", "--bogus"})
    void usageErrorsAreOneLineAndExitTwo(String args) {
        Cmd.Result result = PsMemLauncher.run(args.split(" "));
        assertEquals(2, result.exit(), result.toString());
        assertEquals("", result.stdout());
        assertEquals(1, result.stderr().lines().count(), result.stderr());
        assertTrue(result.stderr().startsWith("ps-mem: "), result.stderr());
    }

    private static String jsonString(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
