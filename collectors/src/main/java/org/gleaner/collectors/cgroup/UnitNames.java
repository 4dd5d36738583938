package org.gleaner.collectors.cgroup;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Names the unit (systemd service, scope or slice, user session, container) that owns a cgroup,
 * as raw metric path components. The scheme is documented in this package's README.md:
 *
 * <pre>
 * system.slice/nginx.service                  services.nginx
 * system.slice/system-getty.slice/getty@tty1.service   services.getty.tty1
 * system.slice                                slices.system
 * system.slice/system-getty.slice             slices.system.getty
 * init.scope, system.slice/run-r1.scope       scopes.init, scopes.run-r1
 * user.slice/user-1000.slice                  users.1000
 * user.slice/user-1000.slice/session-3.scope  users.1000.sessions.3
 * user.slice/user-1000.slice/user@1000.service                 users.1000.manager
 * user.slice/user-1000.slice/user@1000.service/app.slice/x.service  users.1000.services.x
 * docker/ID, system.slice/docker-ID.scope     containers.docker.ID12
 * machine.slice/libpod-ID.scope               containers.podman.ID12
 * ...cri-containerd-ID.scope, crio-ID.scope   containers.containerd.ID12, containers.crio.ID12
 * machine.slice/machine-NAME.scope            containers.machine.NAME
 * lxc/NAME, lxc.payload.NAME, lxc.payload/NAME   containers.lxc.NAME
 * openrc.NAME (OpenRC's cgroups)              services.NAME
 * </pre>
 *
 * Systemd's {@code \xNN} escapes are decoded; every other byte (spaces, dots, quotes, newlines) stays
 * as it is in a component, for the agent to escape. A cgroup below a service, scope or container
 * belongs to it; a directory that is none of the above is not a unit (its sub-directories may be).
 */
public final class UnitNames {

    /** Docker, podman and containerd ids are shown by their tools as the first 12 hex digits. */
    static final int SHORT_CONTAINER_ID = 12;

    private UnitNames() {}

    /**
     * The unit owning the cgroup at {@code cgroupPath} (as in /proc/PID/cgroup: absolute within its
     * hierarchy, e.g. {@code /system.slice/nginx.service/worker}), or empty if no unit owns it (the
     * root, or directories not made by a service manager or container runtime).
     */
    public static Optional<List<String>> fromCgroupPath(String cgroupPath) {
        Resolved resolved = resolve(cgroupPath);
        return resolved == null ? Optional.empty() : Optional.of(resolved.name());
    }

    /**
     * The unit owning a process, from the content of /proc/PID/cgroup. Prefers the unified ("0::")
     * line, then systemd's named hierarchy, then any v1 hierarchy: in hybrid mode systemd keeps
     * the first two identical, while v1 controller hierarchies only hold units with accounting on.
     */
    public static Optional<List<String>> fromProcCgroup(String procPidCgroup) {
        List<String> unified = new ArrayList<>();
        List<String> named = new ArrayList<>();
        List<String> controllers = new ArrayList<>();
        for (String line : procPidCgroup.split("\n")) {
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second < 0) {
                continue;
            }
            String hierarchy = line.substring(first + 1, second);
            String path = line.substring(second + 1);
            if (hierarchy.isEmpty()) {
                unified.add(path);
            } else if (hierarchy.startsWith("name=")) {
                named.add(path);
            } else {
                controllers.add(path);
            }
        }
        for (List<String> candidates : List.of(unified, named, controllers)) {
            for (String path : candidates) {
                Optional<List<String>> unit = fromCgroupPath(path);
                if (unit.isPresent()) {
                    return unit;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The owning unit's name, how many leading path components make up its own cgroup, and whether it
     * holds other units (a slice, a user's slice or service manager) rather than only processes.
     */
    record Resolved(List<String> name, int depth, boolean holdsUnits) {
        Resolved(List<String> name, int depth) {
            this(name, depth, false);
        }
    }

    /** Resolves the owning unit; null if none. The unit's own directory is the first {@code depth} components. */
    static Resolved resolve(String cgroupPath) {
        String[] components = splitPath(cgroupPath);
        Resolved owner = null;
        List<String> manager = List.of(); // ["users", UID] inside a user's service manager
        String userSliceUid = null;
        for (int i = 0; i < components.length; i++) {
            String component = components[i];
            int depth = i + 1;
            List<String> container = containerName(components, i);
            if (container != null) {
                int used = component.equals("docker") || component.equals("lxc") || component.equals("lxc.payload") ? 2 : 1;
                return new Resolved(container, i + used);
            }
            if (component.startsWith("openrc.") && component.length() > "openrc.".length()) {
                return new Resolved(List.of("services", component.substring("openrc.".length())), depth);
            }
            if (component.endsWith(".slice") && component.length() > ".slice".length()) {
                String slice = stripSuffix(component, ".slice");
                if (manager.isEmpty() && slice.startsWith("user-") && isDigits(slice.substring(5))) {
                    userSliceUid = slice.substring(5);
                    owner = new Resolved(List.of("users", userSliceUid), depth, true);
                } else {
                    List<String> name = new ArrayList<>(manager);
                    name.add("slices");
                    for (String part : slice.split("-", -1)) {
                        name.add(unescape(part));
                    }
                    owner = new Resolved(List.copyOf(name), depth, true);
                }
                continue;
            }
            if (component.endsWith(".service") && component.length() > ".service".length()) {
                String service = stripSuffix(component, ".service");
                if (manager.isEmpty() && service.startsWith("user@") && isDigits(service.substring(5))) {
                    manager = List.of("users", service.substring(5));
                    owner = new Resolved(concat(manager, "manager"), depth, true);
                    continue;
                }
                List<String> name = new ArrayList<>(manager);
                name.add("services");
                int at = service.indexOf('@');
                if (at > 0) {
                    name.add(unescape(service.substring(0, at)));
                    if (at + 1 < service.length()) {
                        name.add(unescape(service.substring(at + 1)));
                    }
                } else {
                    name.add(unescape(service));
                }
                return new Resolved(List.copyOf(name), depth);
            }
            if (component.endsWith(".scope") && component.length() > ".scope".length()) {
                String scope = stripSuffix(component, ".scope");
                if (manager.isEmpty() && userSliceUid != null && scope.startsWith("session-")
                        && scope.length() > "session-".length()) {
                    return new Resolved(List.of("users", userSliceUid, "sessions", unescape(scope.substring(8))), depth);
                }
                return new Resolved(concat(concat(manager, "scopes"), unescape(scope)), depth);
            }
            if (owner != null) {
                return owner; // an unrecognised directory inside a slice or a user manager belongs to it
            }
        }
        return owner;
    }

    private static List<String> containerName(String[] components, int i) {
        String component = components[i];
        String next = i + 1 < components.length ? components[i + 1] : null;
        if (component.equals("docker") && next != null && isHexId(next)) {
            return List.of("containers", "docker", next.substring(0, SHORT_CONTAINER_ID));
        }
        if ((component.equals("lxc") || component.equals("lxc.payload")) && next != null) {
            return List.of("containers", "lxc", next);
        }
        if (component.startsWith("lxc.payload.") && component.length() > "lxc.payload.".length()) {
            return List.of("containers", "lxc", component.substring("lxc.payload.".length()));
        }
        if (!component.endsWith(".scope")) {
            return null;
        }
        String scope = stripSuffix(component, ".scope");
        for (String[] runtime : new String[][] {
                {"docker-", "docker"}, {"libpod-", "podman"}, {"cri-containerd-", "containerd"}, {"crio-", "crio"}}) {
            if (scope.startsWith(runtime[0]) && isHexId(scope.substring(runtime[0].length()))) {
                return List.of("containers", runtime[1], scope.substring(runtime[0].length(), runtime[0].length() + SHORT_CONTAINER_ID));
            }
        }
        if (scope.startsWith("machine-") && scope.length() > "machine-".length()) {
            return List.of("containers", "machine", unescape(scope.substring("machine-".length())));
        }
        return null;
    }

    private static String[] splitPath(String cgroupPath) {
        List<String> parts = new ArrayList<>();
        for (String part : cgroupPath.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts.toArray(String[]::new);
    }

    private static boolean isHexId(String id) {
        if (id.length() < SHORT_CONTAINER_ID) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigits(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String stripSuffix(String text, String suffix) {
        return text.substring(0, text.length() - suffix.length());
    }

    private static List<String> concat(List<String> head, String last) {
        List<String> joined = new ArrayList<>(head);
        joined.add(last);
        return List.copyOf(joined);
    }

    /** Decodes systemd's {@code \xNN} escapes (systemd.unit(5), "String Escaping"); bytes are UTF-8. */
    static String unescape(String text) {
        if (text.indexOf("\\x") < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '\\' && i + 3 < raw.length && raw[i + 1] == 'x'
                    && hexValue(raw[i + 2]) >= 0 && hexValue(raw[i + 3]) >= 0) {
                bytes.write(hexValue(raw[i + 2]) << 4 | hexValue(raw[i + 3]));
                i += 3;
            } else {
                bytes.write(raw[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
