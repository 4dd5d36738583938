package org.gleaner.collectors.fanotify;

import org.gleaner.collectors.procfs.ByteFiles;
import org.gleaner.collectors.text.BytePath;

/**
 * Fd mode (no file handle reporting: kernels before 5.1, or mount marks): every event carries an open
 * descriptor whose /proc/self/fd link is the path; it must be closed, or the process runs out of them.
 */
final class FdPaths implements PathResolver {
    private final byte[] linkBuffer = new byte[ByteFiles.PATH_MAX];

    @Override
    public boolean tracks(RawEvent event) {
        return false;
    }

    @Override
    public BytePath resolve(RawEvent event) {
        if (event.fd() < 0) {
            return null;
        }
        BytePath target = ByteFiles.fdPath(event.fd(), linkBuffer);
        Syscalls.closeQuietly(event.fd());
        return target;
    }

    @Override
    public void discard(RawEvent event) {
        Syscalls.closeQuietly(event.fd());
    }

    @Override
    public void afterEvent(RawEvent event, BytePath path) {}

    @Override
    public void afterOverflow() {}

    @Override
    public void close() {}
}
