package org.gleaner.collectors.fanotify;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.gleaner.collectors.jna.DirectLibC;
import org.gleaner.collectors.jna.Fanotify;
import org.gleaner.collectors.procfs.ByteFiles;
import org.gleaner.collectors.text.BytePath;

/**
 * Watches files with fanotify(7) and hands every event, with its full path, to a
 * {@link FileEventListener} on a dedicated reader thread. See this package's README for the modes.
 *
 * <pre>
 * try (FanotifyWatcher watcher = FanotifyWatcher.start(Options.watching(dir), listener)) {
 *     watcher.join(Duration.ofSeconds(10));
 * }
 * </pre>
 */
public final class FanotifyWatcher implements AutoCloseable {

    /** How the watched paths are marked. */
    public enum Scope {
        /** FILESYSTEM when permitted (root), else TREE. */
        AUTO,
        /** The whole filesystem holding each path (root); all events, with entry names. */
        FILESYSTEM,
        /** The mount holding each path (root); no create/delete/rename events: the kernel refuses them on mount marks. */
        MOUNT,
        /** Every directory of the tree under each path; works for a normal user on a tree they can read. */
        TREE
    }

    public static final long ALL_EVENTS = FileEvent.ACCESS | FileEvent.MODIFY | FileEvent.CLOSE_WRITE
            | FileEvent.CLOSE_NOWRITE | FileEvent.OPEN | FileEvent.CREATE | FileEvent.DELETE
            | FileEvent.MOVED_FROM | FileEvent.MOVED_TO;
    /** The events that need file handle reporting (FID mode). */
    public static final long DIRECTORY_ENTRY_EVENTS =
            FileEvent.CREATE | FileEvent.DELETE | FileEvent.MOVED_FROM | FileEvent.MOVED_TO;

    /**
     * @param paths          what to watch (at least one)
     * @param scope          how to mark them
     * @param events         the FileEvent bits wanted; others are not delivered
     * @param ignoredPids    processes whose events are dropped (this process's own always are)
     * @param onlyUnderPaths deliver only events whose path lies under one of {@code paths}
     *                       (filesystem and mount marks see the whole filesystem or mount)
     * @param resolveComm    fill {@link FileEvent#comm()}
     * @param bufferBytes    size of the read buffer
     */
    public record Options(List<BytePath> paths, Scope scope, long events, Set<Integer> ignoredPids,
                          boolean onlyUnderPaths, boolean resolveComm, int bufferBytes) {
        public static final int DEFAULT_BUFFER_BYTES = 256 * 1024;
        private static final int MIN_BUFFER_BYTES = 4096;

        public Options {
            paths = List.copyOf(paths);
            ignoredPids = Set.copyOf(ignoredPids);
            Objects.requireNonNull(scope, "scope");
            if (paths.isEmpty()) {
                throw new IllegalArgumentException("nothing to watch: no paths given");
            }
            if ((events & ~ALL_EVENTS) != 0 || (events & ALL_EVENTS) == 0) {
                throw new IllegalArgumentException("events must be a non-empty set of FileEvent bits, not 0x"
                        + Long.toHexString(events));
            }
            if (bufferBytes < MIN_BUFFER_BYTES) {
                throw new IllegalArgumentException("read buffer of " + bufferBytes + " bytes is below " + MIN_BUFFER_BYTES);
            }
        }

        /** All events under {@code paths}, AUTO scope, no comm resolution. */
        public static Options watching(Path... paths) {
            return new Options(Arrays.stream(paths).map(BytePath::of).toList(), Scope.AUTO, ALL_EVENTS, Set.of(), true, false, DEFAULT_BUFFER_BYTES);
        }

        public Options withScope(Scope newScope) {
            return new Options(paths, newScope, events, ignoredPids, onlyUnderPaths, resolveComm, bufferBytes);
        }

        public Options ignoringPids(Collection<Integer> pids) {
            return new Options(paths, scope, events, Set.copyOf(pids), onlyUnderPaths, resolveComm, bufferBytes);
        }

        public Options withResolveComm(boolean resolve) {
            return new Options(paths, scope, events, ignoredPids, onlyUnderPaths, resolve, bufferBytes);
        }
    }

    private static final Fanotify API = Fanotify.INSTANCE;
    private static final int FAN_CLOEXEC = 0x1;
    private static final int FAN_NONBLOCK = 0x2;
    private static final int FAN_REPORT_FID = 0x200;
    private static final int FAN_REPORT_DIR_FID = 0x400;
    private static final int FAN_REPORT_NAME = 0x800;
    private static final int FAN_REPORT_TARGET_FID = 0x1000;
    private static final int FAN_REPORT_FD_ERROR = 0x2000;
    private static final int FAN_MARK_ADD = 0x1;
    private static final int FAN_MARK_ONLYDIR = 0x8;
    private static final int FAN_MARK_MOUNT = 0x10;
    private static final int FAN_MARK_FILESYSTEM = 0x100;
    /** FAN_MARK_IGNORE | FAN_MARK_IGNORED_SURV_MODIFY: an ignore mask that honours FAN_ONDIR (6.0). */
    private static final int FAN_MARK_IGNORE_SURV = 0x400 | 0x40;
    private static final long DIRECTORY_READS =
            FileEvent.OPEN | FileEvent.ACCESS | FileEvent.CLOSE_NOWRITE | FileEvent.ONDIR;
    private static final long FAN_EVENT_ON_CHILD = 0x08000000L;
    private static final int EVENT_FILE_FLAGS = Fanotify.O_RDONLY | Fanotify.O_LARGEFILE | Fanotify.O_CLOEXEC;
    private static final int FID_FLAGS = FAN_REPORT_FID | FAN_REPORT_DIR_FID | FAN_REPORT_NAME;

    private final FileEventListener listener;
    private final int fanotifyFd;
    private final int wakeFd;
    private final Scope scope;
    private final boolean fileHandles;
    private final long deliveredEvents;
    private final int[] ignoredPids;
    private final List<BytePath> roots;
    private final boolean onlyUnderRoots;
    private final PathResolver resolver;
    private final ProcessNames processNames;
    private final ByteBuffer buffer;
    private final List<RawEvent> batch = new ArrayList<>();
    private final Consumer<RawEvent> batchAdder = batch::add;
    private final Thread reader;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final Object wakeLock = new Object();
    private boolean wakeFdClosed;
    private volatile Throwable failure;
    private volatile long unopenableEvents;

    private FanotifyWatcher(Options options, FileEventListener listener, int fanotifyFd, int wakeFd, Setup setup) {
        this.listener = listener;
        this.fanotifyFd = fanotifyFd;
        this.wakeFd = wakeFd;
        this.scope = setup.scope;
        this.fileHandles = setup.fileHandles;
        this.deliveredEvents = options.events() & (fileHandles ? ALL_EVENTS : ALL_EVENTS & ~DIRECTORY_ENTRY_EVENTS);
        this.ignoredPids = ignoredPids(options.ignoredPids());
        this.roots = setup.roots;
        this.onlyUnderRoots = options.onlyUnderPaths() && scope != Scope.TREE;
        this.resolver = setup.resolver;
        this.processNames = options.resolveComm() ? new ProcessNames() : null;
        this.buffer = ByteBuffer.allocateDirect(options.bufferBytes()).order(ByteOrder.nativeOrder());
        this.reader = new Thread(this::readLoop, "fanotify-reader");
        this.reader.setDaemon(true);
    }

    /**
     * Marks the paths and starts the reader thread.
     *
     * @throws FanotifyException with a one-line message saying what to do (EPERM, EXDEV, ENODEV, ENOSPC...)
     */
    public static FanotifyWatcher start(Options options, FileEventListener listener) {
        Objects.requireNonNull(listener, "listener");
        List<BytePath> roots = realPaths(options.paths());
        int fanotifyFd = -1;
        int wakeFd = -1;
        Setup setup = null;
        try {
            boolean fileHandles = options.scope() != Scope.MOUNT;
            fanotifyFd = init(fileHandles);
            if (fanotifyFd < 0) {
                fileHandles = false; // kernel without file handle reporting: fd mode, no entry events
                fanotifyFd = init(false);
            }
            setup = mark(fanotifyFd, fileHandles, options, roots);
            wakeFd = API.eventfd(0, Fanotify.EFD_CLOEXEC | Fanotify.EFD_NONBLOCK);
            FanotifyWatcher watcher = new FanotifyWatcher(options, listener, fanotifyFd, wakeFd, setup);
            watcher.reader.start();
            return watcher;
        } catch (RuntimeException e) {
            if (setup != null) {
                setup.resolver.close();
            }
            Syscalls.closeQuietly(fanotifyFd);
            Syscalls.closeQuietly(wakeFd);
            throw e instanceof LastErrorException lastError
                    ? new FanotifyException("cannot start fanotify: " + lastError.getMessage(), lastError.getErrorCode())
                    : e;
        }
    }

    /** The scope in effect (AUTO resolved). */
    public Scope scope() {
        return scope;
    }

    /** True in FID mode (entry names, create/delete/rename events); false in fd mode. */
    public boolean reportsFileHandles() {
        return fileHandles;
    }

    /** The FileEvent bits this watcher delivers: the requested ones this mode can report. */
    public long events() {
        return deliveredEvents;
    }

    /**
     * Waits until the reader thread ends (after {@link #close} or a failure).
     *
     * @return true if it ended within {@code timeout}
     */
    public boolean join(Duration timeout) throws InterruptedException {
        reader.join(Math.max(1, timeout.toMillis()));
        return !reader.isAlive();
    }

    /**
     * Events lost in fd mode because the kernel could not open their file for us (a file on FUSE or
     * NFS that went stale, a write-only file): without FAN_REPORT_FD_ERROR (6.13) the kernel drops
     * such an event, with it as much as can be told is that one was dropped.
     */
    public long unopenableEvents() {
        return unopenableEvents;
    }

    /** Why the reader thread stopped on its own: a read error, a malformed buffer, or what the listener threw. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Stops the reader thread (waking it through an eventfd) and closes the fanotify descriptor.
     * Safe to call from the listener and more than once.
     */
    @Override
    public void close() {
        if (stopRequested.getAndSet(true)) {
            return;
        }
        wake();
        if (Thread.currentThread() != reader) {
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!reader.isAlive()) {
                closeWakeFd(); // the reader may have died on a failure, before any stop was requested
            }
        }
    }

    /**
     * Closes the eventfd exactly once, never while {@link #wake} writes to it: a late close or write
     * could hit a descriptor number reused meanwhile.
     */
    private void closeWakeFd() {
        synchronized (wakeLock) {
            if (!wakeFdClosed) {
                wakeFdClosed = true;
                Syscalls.closeQuietly(wakeFd);
            }
        }
    }

    private record Setup(Scope scope, boolean fileHandles, List<BytePath> roots, PathResolver resolver) {}

    /** A fanotify group, or -1 if the kernel cannot report file handles. */
    private static int init(boolean fileHandles) {
        int flags = FAN_CLOEXEC | FAN_NONBLOCK;
        if (!fileHandles) {
            try {
                // FD_ERROR (6.13): an event whose file cannot be opened carries the error instead of vanishing
                return API.fanotify_init(flags | FAN_REPORT_FD_ERROR, EVENT_FILE_FLAGS);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Fanotify.EINVAL) {
                    throw FanotifyException.initFailed(e.getErrorCode());
                }
            }
            return initOrThrow(flags);
        }
        try {
            // TARGET_FID (5.17) adds the handle of the created/moved entry itself to directory events.
            return API.fanotify_init(flags | FID_FLAGS | FAN_REPORT_TARGET_FID, EVENT_FILE_FLAGS);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Fanotify.EINVAL) {
                throw FanotifyException.initFailed(e.getErrorCode());
            }
        }
        try {
            return API.fanotify_init(flags | FID_FLAGS, EVENT_FILE_FLAGS);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Fanotify.EINVAL) {
                return -1;
            }
            throw FanotifyException.initFailed(e.getErrorCode());
        }
    }

    private static int initOrThrow(int flags) {
        try {
            return API.fanotify_init(flags, EVENT_FILE_FLAGS);
        } catch (LastErrorException e) {
            throw FanotifyException.initFailed(e.getErrorCode());
        }
    }

    private static Setup mark(int fanotifyFd, boolean fileHandles, Options options, List<BytePath> roots) {
        long kernelMask = FileEvent.ONDIR | FAN_EVENT_ON_CHILD
                | (fileHandles ? options.events() | DIRECTORY_ENTRY_EVENTS : options.events() & ~DIRECTORY_ENTRY_EVENTS);
        if ((kernelMask & ALL_EVENTS) == 0) {
            throw FanotifyException.cannotWatch(roots.get(0), "create/delete/rename events need "
                    + "file handle reporting, which mount marks and kernels before 5.1 lack", Fanotify.EINVAL);
        }
        Scope scope = options.scope();
        if (scope == Scope.AUTO || scope == Scope.FILESYSTEM) {
            int flags = FAN_MARK_ADD | FAN_MARK_FILESYSTEM;
            try {
                for (BytePath root : roots) {
                    addMark(fanotifyFd, flags, kernelMask, root);
                }
                return new Setup(Scope.FILESYSTEM, fileHandles, roots,
                        fileHandles ? new HandlePaths(mountFds(roots)) : new FdPaths());
            } catch (FanotifyException e) {
                boolean treeWouldWork = e.errno() == Fanotify.EPERM || e.errno() == Fanotify.EXDEV;
                if (scope != Scope.AUTO || !fileHandles || !treeWouldWork) {
                    throw e;
                }
            }
        }
        if (scope == Scope.MOUNT) {
            for (BytePath root : roots) {
                addMark(fanotifyFd, FAN_MARK_ADD | FAN_MARK_MOUNT, kernelMask, root);
            }
            return new Setup(Scope.MOUNT, fileHandles, roots, new FdPaths());
        }
        if (!fileHandles) {
            throw FanotifyException.cannotWatch(roots.get(0), "tree mode needs file handle reporting "
                    + "(kernel 5.9 or later)", Fanotify.EINVAL);
        }
        boolean[] ignoreSupported = {true};
        TreePaths tree = new TreePaths(roots, directory -> {
            addMark(fanotifyFd, FAN_MARK_ADD | FAN_MARK_ONLYDIR, kernelMask, directory);
            if (ignoreSupported[0]) {
                ignoreSupported[0] = ignoreDirectoryReads(fanotifyFd, directory);
            }
        });
        return new Setup(Scope.TREE, true, roots, tree);
    }

    /**
     * Tells the kernel to drop opening, reading and closing of {@code directory} itself (FAN_MARK_IGNORE,
     * 6.0): tree mode lists directories to mark them, and must not queue events by doing so.
     *
     * @return false if the kernel lacks FAN_MARK_IGNORE (EINVAL), true otherwise
     */
    private static boolean ignoreDirectoryReads(int fanotifyFd, BytePath directory) {
        try {
            API.fanotify_mark(fanotifyFd, FAN_MARK_ADD | FAN_MARK_IGNORE_SURV | FAN_MARK_ONLYDIR, DIRECTORY_READS,
                    Fanotify.AT_FDCWD, directory.cString());
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Fanotify.EINVAL) {
                return false;
            }
            throw FanotifyException.markFailed(directory, e.getErrorCode());
        }
    }

    private static void addMark(int fanotifyFd, int flags, long mask, BytePath path) {
        try {
            API.fanotify_mark(fanotifyFd, flags, mask, Fanotify.AT_FDCWD, path.cString());
        } catch (LastErrorException e) {
            throw FanotifyException.markFailed(path, e.getErrorCode());
        }
    }

    /** A descriptor on each watched filesystem for open_by_handle_at, by fsid; the first path of each wins. */
    private static Map<Long, Integer> mountFds(List<BytePath> roots) {
        Map<Long, Integer> fds = new LinkedHashMap<>();
        try {
            for (BytePath root : roots) {
                long fsid = Syscalls.fsidOf(root);
                if (!fds.containsKey(fsid)) {
                    try {
                        fds.put(fsid, DirectLibC.open(root.cString(),
                                Fanotify.O_RDONLY | Fanotify.O_NONBLOCK | Fanotify.O_CLOEXEC));
                    } catch (LastErrorException e) {
                        throw FanotifyException.markFailed(root, e.getErrorCode());
                    }
                }
            }
        } catch (RuntimeException e) {
            fds.values().forEach(Syscalls::closeQuietly);
            throw e;
        }
        return fds;
    }

    private static List<BytePath> realPaths(List<BytePath> paths) {
        List<BytePath> real = new ArrayList<>(paths.size());
        for (BytePath path : paths) {
            try {
                real.add(ByteFiles.realPath(path));
            } catch (LastErrorException e) {
                throw FanotifyException.markFailed(path, e.getErrorCode());
            }
        }
        return List.copyOf(real);
    }

    private static int[] ignoredPids(Set<Integer> pids) {
        int[] all = new int[pids.size() + 1];
        all[0] = (int) ProcessHandle.current().pid();
        int i = 1;
        for (int pid : pids) {
            all[i++] = pid;
        }
        return all;
    }

    private void readLoop() {
        try (Memory pollFds = new Memory(16)) {
            pollFds.setInt(0, fanotifyFd);
            pollFds.setShort(4, Fanotify.POLLIN);
            pollFds.setInt(8, wakeFd);
            pollFds.setShort(12, Fanotify.POLLIN);
            while (!stopRequested.get()) {
                pollFds.setShort(6, (short) 0);
                pollFds.setShort(14, (short) 0);
                if (poll(pollFds) && pollFds.getShort(14) == 0) {
                    drain();
                }
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            resolver.close();
            Syscalls.closeQuietly(fanotifyFd);
            if (stopRequested.get()) {
                closeWakeFd(); // else close() still writes to it, and closes it
            }
        }
    }

    private boolean poll(Memory pollFds) {
        try {
            DirectLibC.poll(pollFds, 2, -1);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Fanotify.EINTR) {
                return false;
            }
            throw new FanotifyException("fanotify poll failed: " + e.getMessage(), e.getErrorCode());
        }
    }

    /** Reads until the queue is empty (EAGAIN) or a stop is requested. */
    private void drain() {
        while (!stopRequested.get()) {
            int length;
            try {
                length = (int) DirectLibC.read(fanotifyFd, buffer, buffer.capacity());
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == Fanotify.EAGAIN) {
                    return;
                }
                if (errno == Fanotify.EINTR) {
                    continue;
                }
                throw new FanotifyException("reading fanotify events failed: " + e.getMessage()
                        + (errno == Fanotify.EMFILE ? " (out of file descriptors: raise ulimit -n)" : ""), errno);
            }
            if (length <= 0) {
                // fd mode: the kernel consumed an event whose file it could not open (EOPENSTALE)
                unopenableEvents++;
                return;
            }
            batch.clear();
            EventRecords.parse(buffer, length, batchAdder);
            if (processNames != null) {
                // Names before anything else: a short-lived process's /proc entry lasts only until it is reaped.
                processNames.newBatch();
                for (RawEvent event : batch) {
                    if (!ignored(event.pid())) {
                        processNames.comm(event.pid());
                    }
                }
            }
            for (RawEvent event : batch) {
                dispatch(event);
            }
            listener.onBatchEnd();
        }
    }

    private void dispatch(RawEvent event) {
        if (event.isOverflow()) {
            resolver.afterOverflow();
            listener.onOverflow();
            return;
        }
        if (!fileHandles && event.fd() < 0) {
            unopenableEvents++; // FAN_REPORT_FD_ERROR: fd holds -errno of the failed open
            return;
        }
        long mask = event.mask() & (deliveredEvents | FileEvent.ONDIR);
        boolean wanted = (mask & deliveredEvents) != 0 && !ignored(event.pid());
        String comm = wanted && processNames != null ? processNames.comm(event.pid()) : null;
        BytePath path = null;
        if (wanted || resolver.tracks(event)) {
            path = resolver.resolve(event);
        } else {
            resolver.discard(event);
        }
        resolver.afterEvent(event, path);
        List<PathResolver.Arrival> arrivals = resolver.takeArrivals();
        if (!wanted || path == null || (onlyUnderRoots && !underRoots(path))) {
            return;
        }
        listener.onEvent(new FileEvent(mask, event.pid(), path, comm));
        if ((deliveredEvents & FileEvent.CREATE) != 0) {
            for (PathResolver.Arrival arrival : arrivals) {
                long arrivalMask = FileEvent.CREATE | (arrival.directory() ? FileEvent.ONDIR : 0);
                listener.onEvent(new FileEvent(arrivalMask, 0, arrival.path(), processNames == null ? null : ProcessNames.UNKNOWN));
            }
        }
    }

    private boolean ignored(int pid) {
        for (int ignoredPid : ignoredPids) {
            if (ignoredPid == pid) {
                return true;
            }
        }
        return false;
    }

    private boolean underRoots(BytePath path) {
        for (BytePath root : roots) {
            if (path.startsWith(root)) {
                return true;
            }
        }
        return false;
    }

    private void wake() {
        byte[] one = new byte[8];
        one[ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 7] = 1;
        synchronized (wakeLock) {
            if (wakeFdClosed) {
                return; // the reader has already stopped
            }
            try {
                API.write(wakeFd, one, one.length);
            } catch (LastErrorException ignored) {
                // EAGAIN: the counter is already non-zero, so the reader is being woken anyway
            }
        }
    }
}
