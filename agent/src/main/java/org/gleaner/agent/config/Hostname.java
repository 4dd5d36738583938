package org.gleaner.agent.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's short host name, read from the kernel (no DNS lookup at start-up). */
final class Hostname {
    private Hostname() {}

    static String shortName() {
        String name;
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            name = "localhost";
        }
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
