package org.gleaner.collectors.cgroup;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.MetricSink;
import org.gleaner.collectors.cgroup.CgroupLayout.Hierarchy;
import org.gleaner.collectors.procfs.MountInfo;
import org.gleaner.collectors.procfs.Subdirectories;
import org.gleaner.collectors.text.BytePath;
import org.gleaner.collectors.text.ByteText;

/**
 * Per-unit resource use read from cgroups: CPU time, memory, processes, block IO and pressure of each
 * systemd service, scope, slice, user and container, named as {@link UnitNames} describes, and of
 * every cgroup outside those that holds processes, named by its path. Works on
 * cgroup v1, v2 and hybrid machines; the hierarchies are found in mountinfo and found again when
 * the mounts change. Metric names are listed in this package's README.md.
 */
public final class CgroupCollector implements Collector {

    /**
     * @param root                  the directory holding proc/ and sys/ ("/" on a live machine, a
     *                              captured tree in tests)
     * @param include               patterns a unit must match one of (all units if empty); see {@link UnitPattern}
     * @param exclude               patterns of units never reported
     * @param maxUnits              units reported on their own; the rest are summed into "other"
     * @param blkioAccountingRules  install non-limiting v1 throttle rules so v1 blkio counts IO
     */
    public record Settings(Path root, List<String> include, List<String> exclude, int maxUnits, boolean blkioAccountingRules) {
        public static final int DEFAULT_MAX_UNITS = 1000;

        public Settings {
            include = List.copyOf(include);
            exclude = List.copyOf(exclude);
            if (maxUnits < 0) {
                throw new IllegalArgumentException("max_units must not be negative: " + maxUnits);
            }
        }

        public static Settings defaults() {
            return new Settings(Path.of("/"), List.of(), List.of(), DEFAULT_MAX_UNITS, false);
        }
    }

    /** Bounds on the directory walk, against runaway trees. */
    private static final int MAX_WALK_DEPTH = 64;
    private static final int MAX_DIRECTORIES = 200_000;
    /** USER_HZ, the unit of cpuacct.stat, is 100 on every Linux architecture (times(2)). */
    private static final long USEC_PER_USER_HZ_TICK = 10_000;

    private final Path root;
    private final List<UnitPattern> include;
    private final List<UnitPattern> exclude;
    private final int maxUnits;
    private final BlkioAccountingRules blkioRules;
    private final CgroupFiles files = new CgroupFiles();
    private final BlockDevices devices;
    private final Set<String> admitted = new HashSet<>();

    private final Subdirectories subdirectoryLister = new Subdirectories();
    /** Unit names by cgroup path, of this and of the previous cycle (null: not a unit). */
    private Map<String, UnitNames.Resolved> unitNames = new HashMap<>();
    private Map<String, UnitNames.Resolved> previousNames = new HashMap<>();

    private byte[] lastMountinfo = new byte[0];
    private CgroupLayout layout;
    private int directoriesWalked;

    public CgroupCollector(Settings settings) {
        this.root = settings.root();
        this.include = settings.include().stream().map(UnitPattern::of).toList();
        this.exclude = settings.exclude().stream().map(UnitPattern::of).toList();
        this.maxUnits = settings.maxUnits();
        this.blkioRules = settings.blkioAccountingRules() ? new BlkioAccountingRules(root) : null;
        this.devices = new BlockDevices(root);
    }

    /** One unit's directory in each hierarchy the collector reads (null where it has none). */
    static final class Unit {
        final String cgroupPath;
        final List<String> name;
        // each directory's path as bytes: a cgroup name is never decoded to open its files
        byte[] cpuacct;
        byte[] cpu;
        byte[] memory;
        byte[] blkio;
        byte[] pids;
        byte[] unified;
        /** For a cgroup no service manager made: whether any of its directories holds processes itself. */
        boolean holdsProcesses;

        Unit(String cgroupPath, List<String> name) {
            this.cgroupPath = cgroupPath;
            this.name = name;
        }

        void locate(Set<Role> roles, Subdirectory dir) {
            for (Role role : roles) {
                switch (role) {
                    case CPUACCT -> cpuacct = dir.raw();
                    case CPU -> cpu = dir.raw();
                    case MEMORY -> memory = dir.raw();
                    case BLKIO -> blkio = dir.raw();
                    case PIDS -> pids = dir.raw();
                    case UNIFIED -> unified = dir.raw();
                }
            }
        }
    }

    private enum Role { CPUACCT, CPU, MEMORY, BLKIO, PIDS, UNIFIED }

    /** The first component of the name of a cgroup no service manager made, named by its path. */
    static final String PLAIN_CGROUPS = "cgroups";

    @Override
    public void collect(MetricSink sink) throws IOException {
        malformed = 0;
        refreshLayout();
        List<Unit> units = discoverUnits();
        List<Unit> selected = new ArrayList<>();
        for (Unit unit : units) {
            if (isSelected(unit)) {
                selected.add(unit);
            }
        }
        if (blkioRules != null) {
            blkioRules.refreshDisks();
            for (Unit unit : selected) {
                if (unit.blkio != null) {
                    blkioRules.equip(BytePath.of(unit.blkio).toPath());
                }
            }
        }
        admitted.retainAll(unitNames.keySet());
        SummingSink other = new SummingSink();
        Set<String> overflowed = new HashSet<>();
        int reported = 0;
        for (Unit unit : selected) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("cgroup cycle abandoned");
            }
            if (admitted.contains(unit.cgroupPath) || admitted.size() < maxUnits && admitted.add(unit.cgroupPath)) {
                readUnit(unit, sink, unit.name.toArray(String[]::new));
                reported++;
            } else {
                // Sum only the top-most units over the cap: a slice's total already holds its members.
                if (!insideAny(unit.cgroupPath, overflowed)) {
                    readUnit(unit, other, new String[] {"other"});
                }
                overflowed.add(unit.cgroupPath);
            }
        }
        other.flushTo(sink);
        long now = System.currentTimeMillis();
        sink.gauge(now, selected.size(), "collector", "units");
        sink.gauge(now, reported, "collector", "units_reported");
        sink.gauge(now, overflowed.size(), "collector", "units_in_other");
        sink.gauge(now, malformed, "collector", "malformed_files");
    }

    /** Holds no descriptors between cycles. */
    @Override
    public void close() {}

    private boolean isSelected(Unit unit) {
        boolean included = include.isEmpty() || include.stream().anyMatch(p -> p.matches(unit.cgroupPath, unit.name));
        return included && exclude.stream().noneMatch(p -> p.matches(unit.cgroupPath, unit.name));
    }

    private static boolean insideAny(String cgroupPath, Set<String> ancestors) {
        for (int slash = cgroupPath.lastIndexOf('/'); slash > 0; slash = cgroupPath.lastIndexOf('/', slash - 1)) {
            if (ancestors.contains(cgroupPath.substring(0, slash))) {
                return true;
            }
        }
        return false;
    }

    /** Re-parses mountinfo only when its content changed; reading it is one small read. */
    private void refreshLayout() throws IOException {
        byte[] mountinfo = Files.readAllBytes(root.resolve("proc/self/mountinfo"));
        if (layout != null && Arrays.equals(mountinfo, lastMountinfo)) {
            return;
        }
        lastMountinfo = mountinfo;
        layout = CgroupLayout.of(MountInfo.parse(new String(mountinfo, StandardCharsets.UTF_8)));
        files.forgetAbsent();
        devices.forget();
    }

    CgroupLayout layout() {
        return layout;
    }

    // ---- discovery ----------------------------------------------------------------------------

    /** The units, sorted by cgroup path (so a slice comes before its members). */
    private List<Unit> discoverUnits() {
        Map<Hierarchy, Set<Role>> roles = new LinkedHashMap<>();
        addRole(roles, layout.v1("cpuacct"), Role.CPUACCT);
        addRole(roles, layout.v1("cpu"), Role.CPU);
        addRole(roles, layout.v1("memory"), Role.MEMORY);
        addRole(roles, layout.v1("blkio"), Role.BLKIO);
        addRole(roles, layout.v1("pids"), Role.PIDS);
        addRole(roles, layout.unified(), Role.UNIFIED);
        Map<String, Unit> units = new HashMap<>();
        Map<String, Unit> plain = new HashMap<>();
        directoriesWalked = 0;
        previousNames = unitNames;
        unitNames = new HashMap<>();
        roles.forEach((hierarchy, hierarchyRoles) -> {
            Path mountDirectory = mountDirectory(hierarchy);
            walk(new Subdirectory("", BytePath.of(mountDirectory).bytes(), links(mountDirectory)), "", 0,
                    hierarchyRoles, units, plain);
        });
        for (Unit cgroup : plain.values()) {
            if (cgroup.holdsProcesses) {
                units.put(cgroup.cgroupPath, cgroup);
            }
        }
        List<Unit> sorted = new ArrayList<>(units.values());
        sorted.sort(Comparator.comparing((Unit unit) -> unit.cgroupPath));
        return sorted;
    }

    private static void addRole(Map<Hierarchy, Set<Role>> roles, Hierarchy hierarchy, Role role) {
        if (hierarchy != null) {
            roles.computeIfAbsent(hierarchy, h -> java.util.EnumSet.noneOf(Role.class)).add(role);
        }
    }

    private Path mountDirectory(Hierarchy hierarchy) {
        String mountPoint = hierarchy.mountPoint();
        String relative = mountPoint.startsWith("/") ? mountPoint.substring(1) : mountPoint;
        return relative.isEmpty() ? root : root.resolve(relative);
    }

    /**
     * Visits the sub-directories of {@code dir} (cgroup path {@code cgroupPath}, "" for the mount
     * point, whose link count is {@code links}); records units and goes down into slices and
     * directories that are not units. Directories outside any unit (made by cgcreate, OpenRC's
     * predecessors, runit or s6 scripts, a container's own init) go to {@code plain}, named by their
     * path; they are reported if one of their directories holds processes.
     */
    private void walk(Subdirectory dir, String cgroupPath, int depth, Set<Role> roles, Map<String, Unit> units,
                      Map<String, Unit> plain) {
        if (depth >= MAX_WALK_DEPTH) {
            return;
        }
        for (Subdirectory child : subdirectories(dir)) {
            if (++directoriesWalked > MAX_DIRECTORIES) {
                return;
            }
            String childPath = cgroupPath + "/" + child.name();
            UnitNames.Resolved resolved = resolve(childPath);
            boolean isUnit = resolved != null && resolved.depth() == depth + 1;
            if (isUnit) {
                units.computeIfAbsent(childPath, path -> new Unit(path, resolved.name())).locate(roles, child);
            } else if (resolved == null) {
                Unit cgroup = plain.computeIfAbsent(childPath, path -> new Unit(path, plainName(path)));
                cgroup.locate(roles, child);
                if (!cgroup.holdsProcesses) {
                    cgroup.holdsProcesses = files.read(child.raw(), "cgroup.procs") > 0;
                }
            }
            if (resolved == null || isUnit && resolved.holdsUnits()) {
                walk(child, childPath, depth + 1, roles, units, plain);
            }
        }
    }

    /** {@code /a/b c} is named {@code cgroups, a, b c}: each component as it is, for the agent to escape. */
    private static List<String> plainName(String cgroupPath) {
        List<String> name = new ArrayList<>();
        name.add(PLAIN_CGROUPS);
        for (String component : cgroupPath.substring(1).split("/")) {
            name.add(component);
        }
        return List.copyOf(name);
    }

    /** UnitNames.resolve, remembered from the previous cycle: the same paths come back every cycle. */
    private UnitNames.Resolved resolve(String cgroupPath) {
        UnitNames.Resolved resolved = unitNames.get(cgroupPath);
        if (resolved == null && !unitNames.containsKey(cgroupPath)) {
            resolved = previousNames.containsKey(cgroupPath) ? previousNames.get(cgroupPath) : UnitNames.resolve(cgroupPath);
            unitNames.put(cgroupPath, resolved);
        }
        return resolved;
    }

    /**
     * The sub-directories of a cgroup directory, sorted. A directory's link count is 2 plus its
     * sub-directories (see {@link Subdirectories}), so a leaf cgroup costs no more than the statx
     * that found it, and no directory is stat'ed beyond the number of sub-directories it has.
     */
    private List<Subdirectory> subdirectories(Subdirectory dir) {
        int links = dir.links();
        if (links == 2 || links < 0) {
            return List.of();
        }
        int expected = links > 2 ? links - 2 : Integer.MAX_VALUE;
        List<Subdirectory> names = new ArrayList<>();
        for (Subdirectories.Entry entry : subdirectoryLister.list(dir.raw(), expected)) {
            names.add(new Subdirectory(ByteText.lossless(entry.name(), 0, entry.name().length),
                    below(dir.raw(), entry.name()), entry.links()));
        }
        names.sort(Comparator.comparing(Subdirectory::name));
        return names;
    }

    /**
     * A sub-directory: its name as a {@link ByteText#lossless lossless} String (the key of its cgroup
     * path), its path as bytes (for listing it and reading its files) and its link count.
     */
    record Subdirectory(String name, byte[] raw, int links) {}

    /** {@code directory/name}. */
    private static byte[] below(byte[] directory, byte[] name) {
        byte[] path = Arrays.copyOf(directory, directory.length + 1 + name.length);
        path[directory.length] = '/';
        System.arraycopy(name, 0, path, directory.length + 1, name.length);
        return path;
    }

    /** The link count of {@code dir}, or -1 if it is gone. */
    private static int links(Path dir) {
        try {
            return (Integer) Files.getAttribute(dir, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException vanished) {
            return -1;
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    private int malformed;

    private static final String[] CPU_STAT_NAMES = {
            "usage_usec", "user_usec", "system_usec", "nr_periods", "nr_throttled", "throttled_usec"};
    private static final StatText.Keys CPU_STAT = new StatText.Keys(CPU_STAT_NAMES);
    /** v1 cpu controller's cpu.stat (sched-bwc.rst): throttled_time is in nanoseconds. */
    private static final StatText.Keys CPU_STAT_V1 = new StatText.Keys("nr_periods", "nr_throttled", "throttled_time");
    private static final String[] CPU_STAT_V1_NAMES = {"nr_periods", "nr_throttled", "throttled_usec"};
    private static final int THROTTLED_TIME = 2;
    private static final StatText.Keys CPUACCT_STAT = new StatText.Keys("user", "system");
    private static final String[] MEMORY_EVENT_NAMES = {"high", "max", "oom", "oom_kill"};
    private static final StatText.Keys MEMORY_EVENTS = new StatText.Keys(MEMORY_EVENT_NAMES);
    private static final StatText.Keys OOM_CONTROL = new StatText.Keys("oom_kill");
    private static final String[] CPUACCT_STAT_NAMES = {"user_usec", "system_usec"};

    /** memory.stat fields reported, v2 names; the v1 table maps total_* (hierarchical) fields onto them. */
    private static final String[] MEMORY_NAMES = {
            "anon", "file", "kernel", "kernel_stack", "pagetables", "percpu", "sock", "shmem", "file_mapped",
            "file_dirty", "file_writeback", "swapcached", "anon_thp", "active_anon", "inactive_anon",
            "active_file", "inactive_file", "unevictable", "slab", "slab_reclaimable", "slab_unreclaimable",
            "pgfault", "pgmajfault", "workingset_refault_anon", "workingset_refault_file", "pgscan", "pgsteal"};
    /** Index of the first counter in MEMORY_NAMES; the fields before it are gauges. */
    private static final int FIRST_MEMORY_COUNTER = 21;
    private static final StatText.Keys MEMORY_STAT_V2 = new StatText.Keys(MEMORY_NAMES);
    private static final String[] MEMORY_V1_KEYS = {
            "total_rss", "total_cache", null, null, null, null, null, "total_shmem", "total_mapped_file",
            "total_dirty", "total_writeback", null, "total_rss_huge", "total_active_anon", "total_inactive_anon",
            "total_active_file", "total_inactive_file", "total_unevictable", null, null, null,
            "total_pgfault", "total_pgmajfault", null, null, null, null};
    private static final StatText.Keys MEMORY_STAT_V1 = new StatText.Keys(MEMORY_V1_KEYS);

    private static final String[] IO_NAMES = {"rbytes", "wbytes", "rios", "wios", "dbytes", "dios"};
    private static final StatText.Keys IO_STAT = new StatText.Keys(IO_NAMES);
    private static final StatText.Keys BLKIO_OPS = new StatText.Keys("Read", "Write", "Discard");
    private static final String[] BLKIO_BYTES_NAMES = {"rbytes", "wbytes", "dbytes"};
    private static final String[] BLKIO_IOS_NAMES = {"rios", "wios", "dios"};
    private static final String[] PRESSURE_RESOURCES = {"cpu", "io", "memory"};
    private static final String[] PRESSURE_KINDS = {"some", "full"};

    private static final byte[] MEMORY_CONTROLLER = "memory".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] IO_CONTROLLER = "io".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PIDS_CONTROLLER = "pids".getBytes(StandardCharsets.US_ASCII);

    /** Where one unit's values go: the sink and the unit's name as path prefix. */
    private record Out(MetricSink sink, String[] prefix, long millis) {
        void gauge(double value, String... suffix) {
            sink.gauge(millis, value, join(suffix));
        }

        void counter(long value, String... suffix) {
            sink.counter(millis, value, join(suffix));
        }

        private String[] join(String[] suffix) {
            String[] path = Arrays.copyOf(prefix, prefix.length + suffix.length);
            System.arraycopy(suffix, 0, path, prefix.length, suffix.length);
            return path;
        }
    }

    private void readUnit(Unit unit, MetricSink sink, String[] prefix) {
        Out out = new Out(sink, prefix, System.currentTimeMillis());
        boolean memoryV2 = false;
        boolean ioV2 = false;
        boolean pidsV2 = false;
        // the v2 controllers only stand in for v1 hierarchies the unit is not in
        if (unit.unified != null && (unit.memory == null || unit.blkio == null || unit.pids == null)) {
            int length = files.read(unit.unified, "cgroup.controllers");
            if (length >= 0) {
                byte[] b = files.buffer();
                memoryV2 = StatText.containsWord(b, length, MEMORY_CONTROLLER);
                ioV2 = StatText.containsWord(b, length, IO_CONTROLLER);
                pidsV2 = StatText.containsWord(b, length, PIDS_CONTROLLER);
            }
        }
        if (unit.cpuacct != null) {
            readCpuV1(unit.cpuacct, out);
        } else if (unit.unified != null) {
            readFlat(unit.unified, "cpu.stat", CPU_STAT, (key, value) -> out.counter(value, "cpu", CPU_STAT_NAMES[key]));
        }
        if (unit.cpu != null) {
            readFlat(unit.cpu, "cpu.stat", CPU_STAT_V1, (key, value) ->
                    out.counter(key == THROTTLED_TIME ? value / 1000 : value, "cpu", CPU_STAT_V1_NAMES[key]));
        }
        if (unit.memory != null) {
            readMemoryV1(unit.memory, out);
        } else if (memoryV2) {
            readGauge(unit.unified, "memory.current", out, "memory", "current");
            readGauge(unit.unified, "memory.swap.current", out, "memory", "swap");
            readFlat(unit.unified, "memory.stat", MEMORY_STAT_V2, (key, value) -> memoryField(out, key, value));
            readFlat(unit.unified, "memory.events", MEMORY_EVENTS, (key, value) ->
                    out.counter(value, "memory", "events", MEMORY_EVENT_NAMES[key]));
        }
        if (unit.pids != null) {
            readGauge(unit.pids, "pids.current", out, "pids", "current");
        } else if (pidsV2) {
            readGauge(unit.unified, "pids.current", out, "pids", "current");
        }
        if (unit.blkio != null) {
            readBlkio(unit.blkio, "blkio.throttle.io_service_bytes", BLKIO_BYTES_NAMES, "io", out);
            readBlkio(unit.blkio, "blkio.throttle.io_serviced", BLKIO_IOS_NAMES, "io", out);
            readBlkio(unit.blkio, "blkio.bfq.io_service_bytes", BLKIO_BYTES_NAMES, "io_bfq", out);
            readBlkio(unit.blkio, "blkio.bfq.io_serviced", BLKIO_IOS_NAMES, "io_bfq", out);
        } else if (ioV2) {
            int length = files.read(unit.unified, "io.stat");
            if (length >= 0) {
                malformed += StatText.nestedKeyed(files.buffer(), length, IO_STAT, (major, minor, key, value) ->
                        out.counter(value, "io", devices.name(major, minor), IO_NAMES[key]));
            }
        }
        if (unit.unified != null) {
            for (String resource : PRESSURE_RESOURCES) {
                int length = files.readOptional(unit.unified, resource + ".pressure");
                if (length >= 0) {
                    malformed += StatText.pressure(files.buffer(), length, (kind, avg10, total) -> {
                        out.gauge(avg10, "pressure", resource, PRESSURE_KINDS[kind], "avg10");
                        out.counter(total, "pressure", resource, PRESSURE_KINDS[kind], "total_usec");
                    });
                }
            }
        }
    }

    private void readCpuV1(byte[] dir, Out out) {
        long nanoseconds = readSingle(dir, "cpuacct.usage");
        if (nanoseconds != StatText.INVALID) {
            out.counter(nanoseconds / 1000, "cpu", "usage_usec");
        }
        readFlat(dir, "cpuacct.stat", CPUACCT_STAT, (key, ticks) -> {
            if (ticks <= Long.MAX_VALUE / USEC_PER_USER_HZ_TICK) {
                out.counter(ticks * USEC_PER_USER_HZ_TICK, "cpu", CPUACCT_STAT_NAMES[key]);
            }
        });
    }

    private void readMemoryV1(byte[] dir, Out out) {
        long usage = readGauge(dir, "memory.usage_in_bytes", out, "memory", "current");
        int length = files.readOptional(dir, "memory.memsw.usage_in_bytes");
        if (length >= 0 && usage != StatText.INVALID) {
            // memsw counts memory plus swap (cgroup-v1/memory.rst, 2.4 "Swap Extension")
            long memsw = StatText.singleValue(files.buffer(), length);
            if (memsw == StatText.INVALID) {
                malformed++;
            } else {
                out.gauge(Math.max(0, memsw - usage), "memory", "swap");
            }
        }
        readFlat(dir, "memory.stat", MEMORY_STAT_V1, (key, value) -> memoryField(out, key, value));
        // v1 has no memory.events: failcnt counts the charges that hit the limit (cgroup-v1/memory.rst
        // 5.4), oom_control's oom_kill the processes the OOM killer killed in the cgroup (since 4.13)
        long failures = readSingle(dir, "memory.failcnt");
        if (failures != StatText.INVALID) {
            out.counter(failures, "memory", "events", "max");
        }
        readFlat(dir, "memory.oom_control", OOM_CONTROL, (key, value) -> out.counter(value, "memory", "events", "oom_kill"));
    }

    private static void memoryField(Out out, int key, long value) {
        if (key >= FIRST_MEMORY_COUNTER) {
            out.counter(value, "memory", MEMORY_NAMES[key]);
        } else {
            out.gauge(value, "memory", MEMORY_NAMES[key]);
        }
    }

    private void readBlkio(byte[] dir, String file, String[] names, String group, Out out) {
        // the _recursive files include the unit's sub-cgroups, as v2's io.stat does
        int length = files.readOptional(dir, file + "_recursive");
        if (length < 0) {
            length = files.readOptional(dir, file);
        }
        if (length >= 0) {
            malformed += StatText.blkio(files.buffer(), length, BLKIO_OPS, (major, minor, op, value) ->
                    out.counter(value, group, devices.name(major, minor), names[op]));
        }
    }

    private void readFlat(byte[] dir, String file, StatText.Keys keys, StatText.KeyedValue visitor) {
        int length = files.read(dir, file);
        if (length >= 0) {
            malformed += StatText.flatKeyed(files.buffer(), length, keys, visitor);
        }
    }

    /** Reads a single-value file as a gauge; returns the value or INVALID. */
    private long readGauge(byte[] dir, String file, Out out, String... suffix) {
        long value = readSingle(dir, file);
        if (value != StatText.INVALID) {
            out.gauge(value, suffix);
        }
        return value;
    }

    /** The value of a single-value file, or INVALID if it is absent or malformed (counted). */
    private long readSingle(byte[] dir, String file) {
        int length = files.read(dir, file);
        if (length < 0) {
            return StatText.INVALID;
        }
        long value = StatText.singleValue(files.buffer(), length);
        if (value == StatText.INVALID) {
            malformed++;
        }
        return value;
    }

    /** Adds up the values of units over the cap, per metric path, for "other". */
    private static final class SummingSink implements MetricSink {
        private final Map<List<String>, long[]> counters = new LinkedHashMap<>();
        private final Map<List<String>, double[]> gauges = new LinkedHashMap<>();
        private long lastMillis;

        @Override
        public void gauge(long readMillis, double value, String... path) {
            gauges.computeIfAbsent(List.of(path), p -> new double[1])[0] += value;
            lastMillis = Math.max(lastMillis, readMillis);
        }

        @Override
        public void counter(long readMillis, long value, String... path) {
            long[] sum = counters.computeIfAbsent(List.of(path), p -> new long[1]);
            sum[0] = sum[0] > Long.MAX_VALUE - value ? Long.MAX_VALUE : sum[0] + value;
            lastMillis = Math.max(lastMillis, readMillis);
        }

        void flushTo(MetricSink sink) {
            gauges.forEach((path, sum) -> sink.gauge(lastMillis, sum[0], path.toArray(String[]::new)));
            counters.forEach((path, sum) -> sink.counter(lastMillis, sum[0], path.toArray(String[]::new)));
        }
    }
}
