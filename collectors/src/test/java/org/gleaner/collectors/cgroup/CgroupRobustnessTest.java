package org.gleaner.collectors.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbage, truncated, huge and missing files, vanished cgroups and hostile names never break a cycle. */
class CgroupRobustnessTest {

    @Test
    void malformedFilesAreSkippedAndCounted(@TempDir Path tmp) throws IOException {
        Path root = Fixtures.copy("v2", tmp);
        Path nginx = root.resolve("sys/fs/cgroup/system.slice/nginx.service");
        Files.write(nginx.resolve("cpu.stat"), new byte[] {'u', 's', 0, (byte) 0xff, '\n', '\n', ' '});
        Files.writeString(nginx.resolve("memory.current"), "99999999999999999999999999\n");
        Files.writeString(nginx.resolve("memory.stat"), "anon -5\nfile 12x\nsock 4096\npgfault");
        Files.writeString(nginx.resolve("io.stat"), "8:0 rbytes=12 wbytes=34 rios=5 wi\n253:0 rbytes=\nnot-a-device x=1\n:");
        Files.writeString(nginx.resolve("cpu.pressure"), "some avg10=abc avg60=0.00 avg300=0.00 total=1\nfull avg10=0.00");
        Files.writeString(nginx.resolve("io.pressure"), "some avg10=1.00 avg60=0.00 avg300=0.00 total=18446744073709551615\n");
        Files.delete(nginx.resolve("pids.current"));
        Files.writeString(nginx.resolve("memory.swap.current"), "");
        try (CgroupCollector collector = Fixtures.collector(root)) {
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertNull(sink.counter("services", "nginx", "cpu", "usage_usec"));
            assertNull(sink.gauge("services", "nginx", "memory", "current"), "beyond 64 bits");
            assertNull(sink.gauge("services", "nginx", "memory", "anon"));
            assertEquals(4096.0, sink.gauge("services", "nginx", "memory", "sock"), "good lines of a bad file still count");
            assertEquals(12L, sink.counter("services", "nginx", "io", "sda", "rbytes"));
            assertEquals(5L, sink.counter("services", "nginx", "io", "sda", "rios"));
            assertNull(sink.counter("services", "nginx", "io", "sda", "wios"), "truncated pair");
            assertNull(sink.counter("services", "nginx", "pressure", "io", "some", "total_usec"), "beyond a signed counter");
            assertNull(sink.gauge("services", "nginx", "pids", "current"));
            assertTrue(sink.gauge("collector", "malformed_files") >= 8, "malformed " + sink.gauge("collector", "malformed_files"));
            assertEquals(20_000L, sink.counter("services", "getty", "tty1", "cpu", "usage_usec"), "other units are unaffected");
        }
    }

    @Test
    void aCgroupWithoutFilesOrRemovedMidWalkIsNoError(@TempDir Path tmp) throws IOException {
        Path root = Fixtures.copy("v1-fedora", tmp);
        Path sshd = root.resolve("sys/fs/cgroup/cpu,cpuacct/system.slice/sshd.service");
        try (var files = Files.list(sshd)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(sshd); // gone from cpuacct, still in memory, blkio, pids
        Files.delete(root.resolve("sys/fs/cgroup/blkio/system.slice/nginx.service/blkio.throttle.io_service_bytes_recursive"));
        try (CgroupCollector collector = Fixtures.collector(root)) {
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertNull(sink.counter("services", "sshd", "cpu", "usage_usec"));
            assertEquals(4_194_304.0, sink.gauge("services", "sshd", "memory", "current"));
            assertEquals(52_428_800L, sink.counter("services", "nginx", "io", "sda", "rbytes"), "falls back to the non-recursive file");
        }
    }

    @Test
    void aMissingMountinfoTreeOrDeviceNameIsNoError(@TempDir Path tmp) throws IOException {
        Path root = Fixtures.copy("v2", tmp);
        Files.delete(root.resolve("sys/dev/block/8:0"));
        Files.writeString(root.resolve("proc/self/mountinfo"), "garbage\n\n26 24 0:23 / /nowhere rw - cgroup2 cgroup2 rw\n1 2 3\n");
        try (CgroupCollector collector = Fixtures.collector(root)) {
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertEquals(0.0, sink.gauge("collector", "units"));
        }
        Files.writeString(root.resolve("proc/self/mountinfo"), Files.readString(Fixtures.root("v2").resolve("proc/self/mountinfo")));
        try (CgroupCollector collector = Fixtures.collector(root)) {
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertEquals(52_428_800L, sink.counter("services", "nginx", "io", "8:0", "rbytes"), "an unknown device keeps its number");
        }
    }

    @Test
    void hostileCgroupNamesAreRawComponents(@TempDir Path tmp) throws IOException {
        Path root = Fixtures.copy("v2", tmp);
        String hostile = "we\"ird na.me\n'x'";
        Path unit = root.resolve("sys/fs/cgroup/system.slice").resolve(hostile + ".service");
        Files.createDirectories(unit);
        Files.writeString(unit.resolve("cpu.stat"), "usage_usec 7\nuser_usec 4\nsystem_usec 3\n", StandardCharsets.UTF_8);
        try (CgroupCollector collector = Fixtures.collector(root)) {
            RecordingSink sink = Fixtures.collectOnce(collector);
            assertEquals(7L, sink.counter("services", hostile, "cpu", "usage_usec"));
        }
    }
}
