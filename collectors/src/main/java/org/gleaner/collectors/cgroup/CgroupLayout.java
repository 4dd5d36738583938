package org.gleaner.collectors.cgroup;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The cgroup hierarchies mounted on the machine, found in mountinfo: v1 hierarchies one per
 * controller, co-mounted ({@code cpu,cpuacct}) or named ({@code name=systemd}), anywhere in the tree;
 * the unified (v2) hierarchy, alone or next to v1 ones (hybrid).
 */
record CgroupLayout(Hierarchy unified, Map<String, Hierarchy> byController, List<Hierarchy> named) {

    /**
     * One hierarchy, as mounted at {@code mountPoint}. A cgroup directory {@code mountPoint/REL} has
     * the cgroup path {@code root/REL}.
     */
    record Hierarchy(String device, String mountPoint, String root, Set<String> controllers, String name) {
        boolean unified() {
            return controllers.isEmpty() && name == null;
        }

        /** The cgroup path of the hierarchy's directory at the mount point, without a trailing slash. */
        String basePath() {
            return root.equals("/") ? "" : root;
        }
    }

    /** cgroup v1 mount options that are not controllers (cgroup-v1.rst, "Usage"). */
    private static final Set<String> NOT_CONTROLLERS = Set.of(
            "rw", "ro", "none", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "favordynmods",
            "nsdelegate", "memory_localevents", "memory_recursiveprot", "memory_hugetlb_accounting", "pids_localevents");

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
                } else if (!option.isEmpty() && !option.contains("=") && !NOT_CONTROLLERS.contains(option)) {
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
