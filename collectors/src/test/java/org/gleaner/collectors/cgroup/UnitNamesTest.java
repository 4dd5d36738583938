package org.gleaner.collectors.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitNamesTest {

    private static final String DOCKER_ID = "4f1c3a9e2b7d8c6f5a4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/system.slice/nginx.service                                   | services.nginx",
            "/system.slice/nginx.service/worker/deeper                     | services.nginx",
            "/system.slice/system-getty.slice/getty@tty1.service           | services.getty.tty1",
            "/system.slice/system-serial\\x2dgetty.slice/serial-getty@ttyS0.service | services.serial-getty.ttyS0",
            "/system.slice/systemd-fsck@dev-disk-by\\x2duuid-12ab.service  | services.systemd-fsck.dev-disk-by-uuid-12ab",
            "/system.slice/getty@.service                                  | services.getty",
            "/system.slice                                                 | slices.system",
            "/system.slice/system-getty.slice                              | slices.system.getty",
            "/init.scope                                                   | scopes.init",
            "/system.slice/run-r0b2c.scope                                 | scopes.run-r0b2c",
            "/user.slice                                                   | slices.user",
            "/user.slice/user-1000.slice                                   | users.1000",
            "/user.slice/user-1000.slice/session-3.scope                   | users.1000.sessions.3",
            "/user.slice/user-1000.slice/session-c12.scope/sub             | users.1000.sessions.c12",
            "/user.slice/user-1000.slice/user@1000.service                 | users.1000.manager",
            "/user.slice/user-1000.slice/user@1000.service/app.slice       | users.1000.slices.app",
            "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome\\x2dterminal-42.scope | users.1000.scopes.app-gnome-terminal-42",
            "/user.slice/user-1000.slice/user@1000.service/app.slice/pipewire.service | users.1000.services.pipewire",
            "/user.slice/user-1000.slice/user@1000.service/init.scope      | users.1000.scopes.init",
            "/system.slice/user-runtime-dir@1000.service                   | services.user-runtime-dir.1000",
            "/machine.slice/machine-qemu\\x2d1\\x2dweb.scope                | containers.machine.qemu-1-web",
            "/lxc/web01                                                    | containers.lxc.web01",
            "/lxc/web01/system.slice/nginx.service                         | containers.lxc.web01",
            "/lxc.payload.web01                                            | containers.lxc.web01",
            "/lxc.payload/web01/init.scope                                 | containers.lxc.web01",
            "/openrc.sshd                                                  | services.sshd",
            "/kubepods.slice/kubepods-burstable.slice                      | slices.kubepods.burstable",
            "/gleaner-test-123.service                                     | services.gleaner-test-123",
    })
    void namesUnitsFromTheirCgroupPath(String path, String expected) {
        assertEquals(Optional.of(List.of(expected.split("\\."))), UnitNames.fromCgroupPath(path));
    }

    @Test
    void namesContainersByShortId() {
        List<String> docker = List.of("containers", "docker", DOCKER_ID.substring(0, 12));
        assertEquals(Optional.of(docker), UnitNames.fromCgroupPath("/docker/" + DOCKER_ID));
        assertEquals(Optional.of(docker), UnitNames.fromCgroupPath("/system.slice/docker-" + DOCKER_ID + ".scope"));
        assertEquals(Optional.of(List.of("containers", "podman", DOCKER_ID.substring(0, 12))),
                UnitNames.fromCgroupPath("/machine.slice/libpod-" + DOCKER_ID + ".scope/container"));
        assertEquals(Optional.of(List.of("containers", "containerd", DOCKER_ID.substring(0, 12))), UnitNames.fromCgroupPath(
                "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-" + DOCKER_ID + ".scope"));
        assertEquals(Optional.of(List.of("containers", "crio", DOCKER_ID.substring(0, 12))),
                UnitNames.fromCgroupPath("/kubepods.slice/crio-" + DOCKER_ID + ".scope"));
    }

    @ParameterizedTest
    @CsvSource({"/", "''", "/process_api/396e44250b9a1809", "/docker", "/lxc", "/.service", "/docker/not-an-id"})
    void rootAndForeignDirectoriesAreNoUnit(String path) {
        assertEquals(Optional.empty(), UnitNames.fromCgroupPath(path));
    }

    @Test
    void hostileNamesAreRawComponents() {
        assertEquals(Optional.of(List.of("services", "a b.c\n\"q'")), UnitNames.fromCgroupPath("/system.slice/a b.c\n\"q'.service"));
        assertEquals(Optional.of(List.of("services", "x", "in/st")), UnitNames.fromCgroupPath("/x@in\\x2fst.service"));
        assertEquals(Optional.of(List.of("services", "bad\\x4")), UnitNames.fromCgroupPath("/bad\\x4.service"));
        assertEquals(Optional.of(List.of("services", "é")), UnitNames.fromCgroupPath("/\\xc3\\xa9.service"));
    }

    @Test
    void unitDirectoryDepthTellsAUnitFromItsInsides() {
        assertEquals(2, UnitNames.resolve("/system.slice/nginx.service").depth());
        assertEquals(2, UnitNames.resolve("/system.slice/nginx.service/worker").depth());
        assertEquals(2, UnitNames.resolve("/docker/" + DOCKER_ID + "/inner").depth());
    }

    @Test
    void picksTheUnitFromProcPidCgroup() {
        String hybrid = "9:name=systemd:/system.slice/cron.service\n4:memory:/\n0::/system.slice/cron.service\n";
        assertEquals(Optional.of(List.of("services", "cron")), UnitNames.fromProcCgroup(hybrid));
        String v1Only = "4:memory:/\n3:cpu,cpuacct:/system.slice/sshd.service\n";
        assertEquals(Optional.of(List.of("services", "sshd")), UnitNames.fromProcCgroup(v1Only));
        assertEquals(Optional.empty(), UnitNames.fromProcCgroup("0::/\ngarbage\n"));
    }
}
