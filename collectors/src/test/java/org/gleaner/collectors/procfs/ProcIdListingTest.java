package org.gleaner.collectors.procfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcIdListingTest {
    private final ProcIdListing listing = new ProcIdListing();

    @Test
    void listsTheEntriesThatStandForIdsAndSkipsEveryOtherName(@TempDir Path directory) throws IOException {
        for (String name : new String[] {"1", "22", "4194304", "999999999", "1000000000", "0", "self", "12a", "-1", "thread-self"}) {
            Files.createDirectory(directory.resolve(name));
        }
        Files.createFile(directory.resolve("333"));
        int[] ids = listing.list(directory.toString());
        Arrays.sort(ids);
        assertArrayEquals(new int[] {1, 22, 333, 4194304, 999999999}, ids);
    }

    @Test
    void readsADirectoryLargerThanOneBufferWhole(@TempDir Path directory) throws IOException {
        int[] expected = IntStream.rangeClosed(100_000, 103_999).toArray();
        for (int id : expected) {
            Files.createFile(directory.resolve(Integer.toString(id)));
        }
        int[] ids = listing.list(directory.toString());
        Arrays.sort(ids);
        assertArrayEquals(expected, ids);
    }

    @Test
    void aDirectoryThatIsGoneListsAsNull(@TempDir Path directory) {
        assertNull(listing.list(directory.resolve("4242/task").toString()));
        assertNull(listing.list("/proc/0/task"));
    }

    @Test
    void listsTheProcessesOfProcAndTheThreadsOfAProcess() {
        long self = ProcessHandle.current().pid();
        assertTrue(IntStream.of(listing.list("/proc")).anyMatch(id -> id == self), "this process in /proc");
        assertTrue(IntStream.of(listing.list("/proc")).anyMatch(id -> id == 1), "init in /proc");
        int[] threads = listing.list("/proc/" + self + "/task");
        assertTrue(IntStream.of(threads).anyMatch(id -> id == self), "the main thread in " + Arrays.toString(threads));
        assertTrue(threads.length > 1, "a JVM runs several threads: " + Arrays.toString(threads));
    }
}
