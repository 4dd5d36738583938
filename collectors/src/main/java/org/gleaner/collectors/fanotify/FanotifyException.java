package org.gleaner.collectors.fanotify;

import static org.gleaner.collectors.jna.Fanotify.EACCES;
import static org.gleaner.collectors.jna.Fanotify.EINVAL;
import static org.gleaner.collectors.jna.Fanotify.EMFILE;
import static org.gleaner.collectors.jna.Fanotify.ENODEV;
import static org.gleaner.collectors.jna.Fanotify.ENOENT;
import static org.gleaner.collectors.jna.Fanotify.ENOSPC;
import static org.gleaner.collectors.jna.Fanotify.ENOSYS;
import static org.gleaner.collectors.jna.Fanotify.ENOTDIR;
import static org.gleaner.collectors.jna.Fanotify.EOPNOTSUPP;
import static org.gleaner.collectors.jna.Fanotify.EPERM;
import static org.gleaner.collectors.jna.Fanotify.EXDEV;

import java.util.Optional;
import org.gleaner.collectors.jna.LibC;
import org.gleaner.collectors.text.BytePath;

/** A fanotify set-up or read failure, with a one-line message that says what to do about it. */
public final class FanotifyException extends RuntimeException {
    private final int errno;
    private final BytePath path;

    public FanotifyException(String message, int errno) {
        this(message, errno, null);
    }

    private FanotifyException(String message, int errno, BytePath path) {
        super(message);
        this.errno = errno;
        this.path = path;
    }

    /** The errno behind this failure, or 0. */
    public int errno() {
        return errno;
    }

    /** The watched path that could not be watched, if the failure was about one. */
    public Optional<BytePath> path() {
        return Optional.ofNullable(path);
    }

    /** "cannot watch PATH: REASON". */
    static FanotifyException cannotWatch(BytePath path, String reason, int errno) {
        return new FanotifyException("cannot watch " + path + ": " + reason, errno, path);
    }

    static FanotifyException initFailed(int errno) {
        String advice = switch (errno) {
            case EPERM -> "fanotify on a filesystem or mount needs root (CAP_SYS_ADMIN); run as root, "
                    + "or watch a directory tree you own (tree mode, kernel 5.13 or later)";
            case EMFILE -> "too many fanotify groups for this user (limit in "
                    + "/proc/sys/fs/fanotify/max_user_groups); stop other watchers or raise the limit";
            case ENOSYS -> "this kernel was built without fanotify (CONFIG_FANOTIFY)";
            case EINVAL -> "this kernel lacks the fanotify features requested (file handle reporting "
                    + "needs 5.1, entry names 5.9, unprivileged use 5.13)";
            default -> LibC.INSTANCE.strerror(errno);
        };
        return new FanotifyException("cannot start fanotify: " + advice, errno);
    }

    static FanotifyException markFailed(BytePath path, int errno) {
        String advice = switch (errno) {
            case ENOENT -> "no such file or directory";
            case ENOTDIR -> "not a directory";
            case EACCES -> "permission denied";
            case EPERM -> "operation not permitted: marking a filesystem or mount needs root (CAP_SYS_ADMIN); "
                    + "as a normal user watch a directory tree you own (tree mode)";
            case EXDEV -> "it is on a btrfs subvolume whose fsid differs from its filesystem's: watch it in "
                    + "mount mode (no create/delete/rename events) or tree mode";
            case ENODEV, EOPNOTSUPP -> "its filesystem (e.g. FUSE) cannot report file handles: watch it in "
                    + "mount mode (no create/delete/rename events)";
            case ENOSPC -> "too many fanotify marks for this user (limit: sysctl fs.fanotify.max_user_marks, "
                    + "or user.max_fanotify_marks inside a user namespace): raise it or watch a smaller tree";
            case EINVAL -> "this kernel or filesystem does not support the requested events on this kind of mark";
            default -> LibC.INSTANCE.strerror(errno);
        };
        return cannotWatch(path, advice, errno);
    }
}
