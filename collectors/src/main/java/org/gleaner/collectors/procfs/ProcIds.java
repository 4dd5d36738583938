package org.gleaner.collectors.procfs;

/** Names of /proc (and /proc/PID/task) entries that stand for a process or thread id. */
public final class ProcIds {
    private ProcIds() {}

    /** The id a /proc entry name stands for, or -1 if it is not one (e.g. "self", "sys"). */
    public static int parse(String name) {
        if (name.isEmpty() || name.length() > 9) {
            return -1;
        }
        int id = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            id = id * 10 + (c - '0');
        }
        return id;
    }
}
