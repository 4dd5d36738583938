package org.gleaner.agent.filewatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.gleaner.collectors.jna.Fifos;
import org.gleaner.testkit.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnedFifoTest {

    @TempDir
    Path temp;

    private static boolean isFifo(Path path) throws IOException {
        return ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000) == 0010000;
    }

    @Test
    void createsAFifoWithMode0660ThatAReaderCanReadAndRemovesItOnClose() throws Exception {
        Path path = temp.resolve("changes.fifo");
        try (OwnedFifo fifo = OwnedFifo.create(path, null)) {
            assertTrue(isFifo(path));
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            fifo.output().write("/w/a\n".getBytes(StandardCharsets.UTF_8));
            fifo.output().flush();
            try (DataInputStream reader = new DataInputStream(Files.newInputStream(path))) {
                byte[] line = new byte[5];
                reader.readFully(line);
                assertEquals("/w/a\n", new String(line, StandardCharsets.UTF_8));
            }
            fifo.output().write("/w/b\n".getBytes(StandardCharsets.UTF_8));
            fifo.output().flush();
        }
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void refusesAPrePlantedSymlinkAndLeavesItAndItsTargetAlone() throws Exception {
        Path target = Files.writeString(temp.resolve("victim"), "precious");
        Path path = Files.createSymbolicLink(temp.resolve("changes.fifo"), target);
        IOException refused = assertThrows(IOException.class, () -> OwnedFifo.create(path, null));
        assertEquals(path + ": is a symlink, refusing to use it as the FIFO", refused.getMessage());
        assertTrue(Files.isSymbolicLink(path));
        assertEquals("precious", Files.readString(target));
    }

    @Test
    void refusesASymlinkToAFifo() throws Exception {
        Path realFifo = temp.resolve("real.fifo");
        Fifos.INSTANCE.mkfifo(realFifo.toString(), 0600);
        Path path = Files.createSymbolicLink(temp.resolve("changes.fifo"), realFifo);
        assertThrows(IOException.class, () -> OwnedFifo.create(path, null));
        assertTrue(Files.isSymbolicLink(path));
    }

    @Test
    void refusesARegularFileAndADirectory() throws Exception {
        Path file = Files.writeString(temp.resolve("file"), "keep");
        assertEquals(file + ": exists and is not a FIFO, refusing to use it",
                assertThrows(IOException.class, () -> OwnedFifo.create(file, null)).getMessage());
        assertEquals("keep", Files.readString(file));
        Path dir = Files.createDirectory(temp.resolve("dir"));
        assertThrows(IOException.class, () -> OwnedFifo.create(dir, null));
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void reusesAnExistingFifoOfOurs() throws Exception {
        Path path = temp.resolve("left-over.fifo");
        Fifos.INSTANCE.mkfifo(path.toString(), 0600);
        try (OwnedFifo fifo = OwnedFifo.create(path, null)) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        }
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void doesNotRemoveWhatReplacedItsFifo() throws Exception {
        Path path = temp.resolve("changes.fifo");
        try (OwnedFifo fifo = OwnedFifo.create(path, null)) {
            Files.delete(path);
            Files.writeString(path, "someone else's");
        }
        assertEquals("someone else's", Files.readString(path));
    }

    @Test
    void unknownGroupIsAOneLineError() {
        Path path = temp.resolve("changes.fifo");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> OwnedFifo.create(path, "no-such-group-" + ProcessHandle.current().pid()));
        assertTrue(error.getMessage().endsWith(": no such group"), error.getMessage());
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "nothing is created before the group is known");
    }

    @Test
    @Privileged("giving a file to a group root is not in, and planting a FIFO owned by another user")
    void setsTheGroupByNameOrNumberAndRefusesAnotherUsersFifo() throws Exception {
        for (String group : List.of("nogroup", "65534")) {
            Path path = temp.resolve("grouped-" + group);
            try (OwnedFifo fifo = OwnedFifo.create(path, group)) {
                assertEquals(65534, Files.getAttribute(path, "unix:gid"));
            }
        }
        Path planted = temp.resolve("planted.fifo");
        Fifos.INSTANCE.mkfifo(planted.toString(), 0666);
        Files.setAttribute(planted, "unix:uid", 65534);
        assertEquals(planted + ": is a FIFO owned by another user, refusing to use it",
                assertThrows(IOException.class, () -> OwnedFifo.create(planted, null)).getMessage());
        assertTrue(isFifo(planted));
    }
}
