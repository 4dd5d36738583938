package org.gleaner.collectors.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gleaner.collectors.text.BytePath;
import org.gleaner.collectors.text.ByteText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubdirectoriesTest {
    private final Subdirectories lister = new Subdirectories();

    private static byte[] raw(Path directory) {
        return BytePath.of(directory).bytes();
    }

    private static Map<String, Integer> byName(List<Subdirectories.Entry> entries) {
        Map<String, Integer> links = new HashMap<>();
        entries.forEach(entry -> links.put(ByteText.human(entry.name()), entry.links()));
        return links;
    }

    @Test
    void listsSubdirectoriesWithTheirLinkCountsAndNothingElse(@TempDir Path directory) throws IOException {
        Files.createDirectories(directory.resolve("a/x"));
        Files.createDirectories(directory.resolve("a/y"));
        Files.createDirectory(directory.resolve("b"));
        Files.createFile(directory.resolve("memory.stat"));
        Files.createSymbolicLink(directory.resolve("link-to-a"), directory.resolve("a"));
        byte[] notUtf8 = {'s', (byte) 0xff, (byte) 0xfe, '\n', '%'};
        Files.createDirectory(BytePath.of(raw(directory)).resolve(notUtf8).toPath());

        List<Subdirectories.Entry> entries = lister.list(raw(directory), Integer.MAX_VALUE);
        assertEquals(Map.of("a", 4, "b", 2, ByteText.human(notUtf8), 2), byName(entries));
        assertTrue(entries.stream().anyMatch(entry -> java.util.Arrays.equals(entry.name(), notUtf8)), "the name's very bytes");
    }

    @Test
    void stopsAtTheLimit(@TempDir Path directory) throws IOException {
        for (String name : new String[] {"a", "b", "c"}) {
            Files.createDirectory(directory.resolve(name));
        }
        assertEquals(2, lister.list(raw(directory), 2).size());
    }

    @Test
    void aDirectoryThatIsGoneHasNone(@TempDir Path directory) {
        assertEquals(List.of(), lister.list(raw(directory.resolve("removed")), Integer.MAX_VALUE));
        assertEquals(List.of(), lister.list("/proc/0/task".getBytes(StandardCharsets.US_ASCII), Integer.MAX_VALUE));
    }
}
