package org.gleaner.collectors.fanotify;

import java.nio.file.Path;

/**
 * Fd mode (no file handle reporting: kernels before 5.1, or mount marks): every event carries an open
 * descriptor whose /proc/self/fd link is the path; it must be closed, or the process runs out of them.
 */
final class FdPaths implements PathResolver {
    private final byte[] linkBuffer = Syscalls.pathBuffer();

    @Override
    public boolean tracks(RawEvent event) {
        return false;
    }

    @Override
    public Path resolve(RawEvent event) {
        if (event.fd() < 0) {
            return null;
        }
        String target = Syscalls.fdPath(event.fd(), linkBuffer);
        Syscalls.closeQuietly(event.fd());
        return target == null ? null : Path.of(target);
    }

    @Override
    public void discard(RawEvent event) {
        Syscalls.closeQuietly(event.fd());
    }

    @Override
    public void afterEvent(RawEvent event, Path path) {}

    @Override
    public void afterOverflow() {}

    @Override
    public void close() {}
}
