package org.gleaner.collectors.cgroup;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gleaner.collectors.procfs.MountInfo;

/**
 * The cgroup hierarchies mounted on the machine, found in mountinfo: v1 hierarchies one per
 * controller, co-mounted ({@code cpu,cpuacct}) or named ({@code name=systemd}), anywhere in the tree;
 * the unified (v2) hierarchy, alone or next to v1 ones (hybrid).
 */
record CgroupLayout(Hierarchy unified, Map<String, Hierarchy> byController, List<Hierarchy> named) {

    /**
     * One hierarchy, as mounted at {@code mountPoint}; {@code root} is the directory of the hierarchy
     * shown there. Units are named by their path below the mount point. {@code name} is set for
     * named v1 hierarchies ({@code name=systemd}), which have no controllers.
     */
    record Hierarchy(String device, String mountPoint, String root, Set<String> controllers, String name) {}

    /**
     * The cgroup v1 controllers (Documentation/admin-guide/cgroup-v1). Other super options (rw,
     * xattr, seclabel, release_agent=...) are mount flags; v1 gains no new controllers.
     */
    private static final Set<String> V1_CONTROLLERS = Set.of(
            "cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls", "net_prio",
            "perf_event", "hugetlb", "pids", "rdma", "misc", "debug");

    static CgroupLayout of(List<MountInfo> mounts) {
        // Bind mounts of one hierarchy share the device; keep the one showing the most of it.
        Map<String, MountInfo> byDevice = new LinkedHashMap<>();
        Comparator<MountInfo> preference = Comparator.comparingInt((MountInfo m) -> m.root().length())
                .thenComparingInt(m -> m.mountPoint().length());
        for (MountInfo mount : mounts) {
            if (mount.fsType().equals("cgroup") || mount.fsType().equals("cgroup2")) {
                byDevice.merge(mount.device(), mount, (a, b) -> preference.compare(a, b) <= 0 ? a : b);
            }
        }
        Hierarchy unified = null;
        Map<String, Hierarchy> byController = new HashMap<>();
        List<Hierarchy> named = new java.util.ArrayList<>();
        for (MountInfo mount : byDevice.values()) {
            if (mount.fsType().equals("cgroup2")) {
                if (unified == null) {
                    unified = new Hierarchy(mount.device(), mount.mountPoint(), mount.root(), Set.of(), null);
                }
                continue;
            }
            Set<String> controllers = new TreeSet<>();
            String name = null;
            for (String option : mount.superOptions().split(",")) {
                if (option.startsWith("name=")) {
                    name = option.substring("name=".length());
                } else if (V1_CONTROLLERS.contains(option)) {
                    controllers.add(option);
                }
            }
            if (controllers.isEmpty() && name == null) {
                continue;
            }
            Hierarchy hierarchy = new Hierarchy(mount.device(), mount.mountPoint(), mount.root(), Set.copyOf(controllers), name);
            if (controllers.isEmpty()) {
                named.add(hierarchy);
            }
            for (String controller : controllers) {
                byController.putIfAbsent(controller, hierarchy);
            }
        }
        return new CgroupLayout(unified, Map.copyOf(byController), List.copyOf(named));
    }

    Hierarchy v1(String controller) {
        return byController.get(controller);
    }
}
