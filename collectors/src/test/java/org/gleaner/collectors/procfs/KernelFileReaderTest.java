package org.gleaner.collectors.procfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelFileReaderTest {
    @TempDir
    Path dir;

    private static byte[] read(KernelFileReader reader, Path file) {
        int length = reader.read(file.toString());
        return length < 0 ? null : Arrays.copyOf(reader.buffer(), length);
    }

    @Test
    void readsProcFilesWhole() throws IOException {
        KernelFileReader reader = new KernelFileReader(64, 1 << 20);
        Path mountinfo = Path.of("/proc/self/mountinfo");
        assertArrayEquals(Files.readAllBytes(mountinfo), read(reader, mountinfo), "several reads, growing the buffer");
        Path cgroup = Path.of("/proc/self/cgroup");
        assertArrayEquals(Files.readAllBytes(cgroup), read(reader, cgroup), "a shorter file after a longer one");
    }

    @Test
    void readsFilesLongerThanAPageAndTheBuffer() throws IOException {
        byte[] content = new byte[3 * 4096 + 123];
        new Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("long file with spaces"), content);
        assertArrayEquals(content, read(new KernelFileReader(1024, 1 << 20), file));
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertArrayEquals(new byte[0], read(new KernelFileReader(1024, 1 << 20), empty));
    }

    @Test
    void readsAFileOfADirectoryNamedByBytesThatAreNotUtf8() throws IOException {
        byte[] name = {'d', (byte) 0xff, (byte) 0xfe};
        byte[] directory = (dir + "/").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        directory = Arrays.copyOf(directory, directory.length + name.length);
        System.arraycopy(name, 0, directory, directory.length - name.length, name.length);
        Process mkdir = new ProcessBuilder("bash", "-c", "mkdir \"$1\"/d$'\\xff\\xfe' && echo 42 > \"$1\"/d$'\\xff\\xfe'/cpu.stat",
                "bash", dir.toString()).inheritIO().start();
        assertEquals(0, waitFor(mkdir));
        KernelFileReader reader = new KernelFileReader(16, 1 << 20);
        assertEquals(3, reader.read(directory, "cpu.stat"));
        assertEquals(-1, reader.read(directory, "memory.stat"));
    }

    private static int waitFor(Process process) throws IOException {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    void missingTooBigAndDirectoriesAreUnreadable() throws IOException {
        KernelFileReader reader = new KernelFileReader(1024, 2048);
        assertEquals(-1, reader.read(dir.resolve("missing").toString()));
        assertEquals(-1, reader.read(dir.toString()));
        assertEquals(-1, reader.read(Files.write(dir.resolve("big"), new byte[2048]).toString()));
        assertEquals(2047, reader.read(Files.write(dir.resolve("fits"), new byte[2047]).toString()));
    }
}
