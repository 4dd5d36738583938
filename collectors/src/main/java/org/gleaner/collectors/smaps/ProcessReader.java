package org.gleaner.collectors.smaps;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gleaner.collectors.text.BytePath;
import org.gleaner.collectors.text.ByteText;

/**
 * Reads one process at a time from /proc. Every file is opened relative to the process's /proc/PID
 * directory, held open for the whole read (openat through {@link SecureDirectoryStream}): once that
 * process exits, opening or reading through it fails with ESRCH even if its pid is reused, so the
 * figures can never mix two processes. One instance per thread: it reuses its buffers.
 */
public final class ProcessReader {
    /** What became of one pid. */
    public enum Status { READ, DENIED, VANISHED, KERNEL_THREAD, OVER_BUDGET }

    /** The outcome for one pid; {@code memory} is set only when {@code status} is READ. */
    public record Result(int pid, Status status, ProcessMemory memory) {}

    private static final Path STAT = Path.of("stat");
    private static final Path CMDLINE = Path.of("cmdline");
    private static final Set<StandardOpenOption> READ = Set.of(StandardOpenOption.READ);
    private static final String DELETED = " (deleted)";
    /** Longer command lines are cut: they only label the process. */
    private static final int MAX_CMDLINE = 64 * 1024;

    private final Path procRoot;
    private final Path smapsFile;
    private final boolean cmdlines;
    private final SmapsParser parser = new SmapsParser();
    private final ByteBuffer small = ByteBuffer.allocate(MAX_CMDLINE);
    private final Mappings mappings = new Mappings();

    /** @param cmdlines whether to read command lines; without, every process's is an empty list */
    public ProcessReader(Path procRoot, SmapsSource source, boolean cmdlines) {
        this.procRoot = procRoot;
        this.smapsFile = Path.of(source.fileName());
        this.cmdlines = cmdlines;
    }

    /** Reads one process, giving up at {@code deadlineNanos} ({@link System#nanoTime()} scale). */
    public Result read(int pid, long deadlineNanos) {
        Path directory = procRoot.resolve(Integer.toString(pid));
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            if (!(stream instanceof SecureDirectoryStream<Path> process)) {
                throw new UnsupportedOperationException("no openat() support for " + directory);
            }
            ProcStat stat = readStat(process);
            if (stat == null) {
                return new Result(pid, Status.VANISHED, null);
            }
            if (stat.kernelThread()) {
                return new Result(pid, Status.KERNEL_THREAD, null);
            }
            List<String> cmdline = cmdlines ? readCmdline(process) : List.of();
            String exe = readExe(directory);
            mappings.clear();
            try (SeekableByteChannel smaps = process.newByteChannel(smapsFile, READ)) {
                parser.parse(smaps, mappings, deadlineNanos);
            }
            if (mappings.isEmpty()) {
                // a zombie, or a process that exited between opening and reading: nothing is mapped
                return new Result(pid, Status.VANISHED, null);
            }
            String command = exe != null ? basename(exe) : stat.comm();
            return new Result(pid, Status.READ, new ProcessMemory(pid, stat.startTime(), command, stat.comm(), exe,
                    cmdline, mappings.toList(), mappings.total()));
        } catch (SmapsParser.DeadlineExceeded e) {
            return new Result(pid, Status.OVER_BUDGET, null);
        } catch (AccessDeniedException e) {
            return new Result(pid, Status.DENIED, null);
        } catch (IOException e) {
            // NoSuchFile (gone before opening) or ESRCH (gone while reading)
            return new Result(pid, Status.VANISHED, null);
        }
    }

    private ProcStat readStat(SecureDirectoryStream<Path> process) throws IOException {
        int length = readSmall(process, STAT);
        return ProcStat.parse(small.array(), length);
    }

    private List<String> readCmdline(SecureDirectoryStream<Path> process) throws IOException {
        int length = readSmall(process, CMDLINE);
        byte[] bytes = small.array();
        List<String> arguments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == 0) {
                arguments.add(ByteText.human(bytes, start, i - start));
                start = i + 1;
            }
        }
        if (start < length) {
            // a process that rewrote its arguments (setproctitle) may leave no terminating NUL
            arguments.add(ByteText.human(bytes, start, length - start));
        }
        return arguments;
    }

    /**
     * The exe link cannot be read relative to the directory (Java has no readlinkat), so it is read
     * by path. That is still the same process: smaps is read through the held directory after it,
     * and that read fails if the process was reaped, which must happen before its pid is reused.
     */
    private static String readExe(Path directory) {
        try {
            String target = BytePath.ofKernel(Files.readSymbolicLink(directory.resolve("exe"))).toString();
            return target.endsWith(DELETED) ? target.substring(0, target.length() - DELETED.length()) : target;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * The bytes of an absolute path the JDK read from the kernel. Its toString decodes them with the
     * locale's charset, which replaces bytes that are not valid in it (two different names would
     * print alike); its URI percent-encodes the bytes themselves, whatever the locale.
     */
    private int readSmall(SecureDirectoryStream<Path> process, Path file) throws IOException {
        small.clear();
        try (SeekableByteChannel channel = process.newByteChannel(file, READ)) {
            while (small.hasRemaining() && channel.read(small) > 0) {
                // keep reading: /proc files may come in several reads
            }
        }
        return small.position();
    }

    static String basename(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 && slash < path.length() - 1 ? path.substring(slash + 1) : path;
    }

    /**
     * A mapping name in its human form. smaps writes a newline in a path as the octal escape
     * {@code \012} (seq_file_path with "\n" in fs/proc/task_mmu.c) and nothing else: it is turned
     * back into the newline byte. (A name holding a literal backslash-012 reads the same in smaps:
     * the kernel does not escape backslashes.)
     */
    static String mappingName(byte[] name, int length) {
        byte[] raw = name;
        int rawLength = length;
        int escape = indexOfNewlineEscape(name, 0, length);
        if (escape >= 0) {
            raw = new byte[length];
            rawLength = 0;
            int from = 0;
            while (escape >= 0) {
                System.arraycopy(name, from, raw, rawLength, escape - from);
                rawLength += escape - from;
                raw[rawLength++] = '\n';
                from = escape + 4;
                escape = indexOfNewlineEscape(name, from, length);
            }
            System.arraycopy(name, from, raw, rawLength, length - from);
            rawLength += length - from;
        }
        return ByteText.human(raw, 0, rawLength);
    }

    private static int indexOfNewlineEscape(byte[] name, int from, int length) {
        for (int i = from; i + 3 < length; i++) {
            if (name[i] == '\\' && name[i + 1] == '0' && name[i + 2] == '1' && name[i + 3] == '2') {
                return i;
            }
        }
        return -1;
    }

    /** Adds up a process's mappings by name, keeping address order. */
    private static final class Mappings implements SmapsHandler {
        private final Map<String, Builder> byName = new LinkedHashMap<>();
        private byte[] lastName = new byte[256];
        private int lastNameLength = -1;
        private Builder last;

        void clear() {
            byName.clear();
            lastNameLength = -1;
            last = null;
        }

        boolean isEmpty() {
            return byName.isEmpty();
        }

        @Override
        public void mapping(long device, long inode, byte[] name, int nameLength, SmapsCounters counters) {
            // consecutive mappings of one file (text, data, bss) are the common case: skip the String
            if (last == null || nameLength != lastNameLength
                    || !Arrays.equals(name, 0, nameLength, lastName, 0, nameLength)) {
                String key = nameLength == 0 ? MappingMemory.ANONYMOUS : mappingName(name, nameLength);
                last = byName.computeIfAbsent(key, k -> new Builder(k, device, inode));
                if (lastName.length < nameLength) {
                    lastName = new byte[nameLength];
                }
                System.arraycopy(name, 0, lastName, 0, nameLength);
                lastNameLength = nameLength;
            }
            last.add(counters);
        }

        List<MappingMemory> toList() {
            List<MappingMemory> list = new ArrayList<>(byName.size());
            for (Builder builder : byName.values()) {
                list.add(builder.build());
            }
            return list;
        }

        MemoryUsage total() {
            MemoryUsage total = MemoryUsage.ZERO;
            for (Builder builder : byName.values()) {
                total = total.plus(builder.usage);
            }
            return total;
        }
    }

    private static final class Builder {
        private final String name;
        private final long device;
        private final long inode;
        private MemoryUsage usage = MemoryUsage.ZERO;

        Builder(String name, long device, long inode) {
            this.name = name;
            this.device = device;
            this.inode = inode;
        }

        void add(SmapsCounters counters) {
            usage = usage.plus(counters.toUsage());
        }

        MappingMemory build() {
            return new MappingMemory(name, device, inode, usage);
        }
    }
}
