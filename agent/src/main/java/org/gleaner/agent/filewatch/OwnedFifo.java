package org.gleaner.agent.filewatch;

import com.sun.jna.LastErrorException;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gleaner.collectors.jna.DirectLibC;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.jna.Fifos;
import org.gleaner.collectors.jna.LibC;

/**
 * A named pipe for handing changes from a root process to a user ({@code --fifo}), made without the
 * classic /tmp races: mkfifo(3) never follows a symlink (it fails with EEXIST), the open uses
 * O_NOFOLLOW|O_NONBLOCK (a symlink planted between the two fails, nothing blocks), and what was opened
 * is checked through the open descriptor to be a FIFO owned by us before its group and mode 0660 are
 * set, again through the descriptor. An existing FIFO of ours is reused; anything else is refused.
 * gleaner keeps a read end open itself, so writes never fail while no reader is attached (they wait
 * once the pipe buffer is full) and a reader can come and go. On close the FIFO is removed, if the
 * path still names it.
 */
public final class OwnedFifo implements Closeable {

    private final Path path;
    private final int readFd;
    private final Object inode;
    private final OutputStream output;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OwnedFifo(Path path, int readFd, Object inode, OutputStream output) {
        this.path = path;
        this.readFd = readFd;
        this.inode = inode;
        this.output = output;
    }

    /** Creates (or reuses our own) FIFO at {@code path}; {@code group} is a name or number, or null. */
    public static OwnedFifo create(Path path, String group) throws IOException {
        GroupPrincipal groupPrincipal = group == null ? null : lookupGroup(group);
        try {
            Fifos.INSTANCE.mkfifo(path.toString(), 0600);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Fifos.EEXIST) {
                throw new IOException(path + ": cannot create the FIFO: " + LibC.INSTANCE.strerror(e.getErrorCode()));
            }
        }
        int fd;
        try {
            fd = DirectLibC.open((path + "\0").getBytes(StandardCharsets.UTF_8),
                    Fanotify.O_RDONLY | Fanotify.O_NONBLOCK | Fifos.O_NOFOLLOW | Fanotify.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException(path + (e.getErrorCode() == Fifos.ELOOP
                    ? ": is a symlink, refusing to use it as the FIFO"
                    : ": cannot open the FIFO: " + LibC.INSTANCE.strerror(e.getErrorCode())));
        }
        try {
            Path opened = Path.of("/proc/self/fd", Integer.toString(fd));
            Map<String, Object> attributes = Files.readAttributes(opened, "unix:mode,uid,dev,ino");
            if (FileTypes.typeOf(attributes.get("mode")) != FileTypes.S_IFIFO) {
                throw new IOException(path + ": exists and is not a FIFO, refusing to use it");
            }
            if (!attributes.get("uid").equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
                throw new IOException(path + ": is a FIFO owned by another user, refusing to use it");
            }
            PosixFileAttributeView view = Files.getFileAttributeView(opened, PosixFileAttributeView.class);
            if (groupPrincipal != null) {
                view.setGroup(groupPrincipal);
            }
            view.setPermissions(PosixFilePermissions.fromString("rw-rw----"));
            OutputStream output = new FileOutputStream(opened.toFile());
            return new OwnedFifo(path, fd, attributes.get("dev") + ":" + attributes.get("ino"), output);
        } catch (IOException | RuntimeException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
    }

    private static GroupPrincipal lookupGroup(String group) throws IOException {
        try {
            return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("--group " + group + ": no such group");
        }
    }

    /** Where the lines go (writes wait while the pipe is full). */
    public OutputStream output() {
        return output;
    }

    /** Closes both ends and removes the FIFO if the path still names the one we made. */
    @Override
    public void close() throws IOException {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            output.close();
        } finally {
            LibC.INSTANCE.close(readFd);
            try {
                Map<String, Object> now = Files.readAttributes(path, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
                if (inode.equals(now.get("dev") + ":" + now.get("ino"))) {
                    Files.delete(path);
                }
            } catch (java.nio.file.NoSuchFileException alreadyGone) {
                // removed by someone else: nothing to clean up
            }
        }
    }
}
