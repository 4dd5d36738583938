package org.gleaner.collectors.smaps;

import org.gleaner.collectors.text.ByteText;


/**
 * The parts of /proc/PID/stat that identify a process (proc(5)): its comm, its flags and its start
 * time in clock ticks after boot, which together with the pid tells a reused pid from the original.
 */
public record ProcStat(String comm, long flags, long startTime) {
    /** PF_KTHREAD from include/linux/sched.h: the task is a kernel thread. */
    private static final long PF_KTHREAD = 0x00200000L;

    public boolean kernelThread() {
        return (flags & PF_KTHREAD) != 0;
    }

    /**
     * Parses "pid (comm) state ppid ...". The comm may hold spaces, parentheses and newlines, so it
     * runs to the LAST ')'. Returns null if the text does not parse.
     */
    public static ProcStat parse(byte[] text, int length) {
        int open = -1;
        int close = -1;
        for (int i = 0; i < length; i++) {
            if (text[i] == '(' && open < 0) {
                open = i;
            } else if (text[i] == ')') {
                close = i;
            }
        }
        if (open < 0 || close < open) {
            return null;
        }
        // fields after the comm, counted from 1 at the state (field 3 of proc(5)): flags is field 9, starttime 22
        long flags = -1;
        long startTime = -1;
        int field = 2;
        int i = close + 1;
        while (i < length && startTime < 0) {
            while (i < length && text[i] == ' ') {
                i++;
            }
            int tokenStart = i;
            while (i < length && text[i] != ' ' && text[i] != '\n') {
                i++;
            }
            if (tokenStart == i) {
                break;
            }
            field++;
            if (field == 9) {
                flags = decimal(text, tokenStart, i);
            } else if (field == 22) {
                startTime = decimal(text, tokenStart, i);
            }
        }
        if (flags < 0 || startTime < 0) {
            return null;
        }
        return new ProcStat(ByteText.human(text, open + 1, close - open - 1), flags, startTime);
    }

    private static long decimal(byte[] text, int from, int to) {
        long value = 0;
        if (to - from > 18) {
            return -1;
        }
        for (int i = from; i < to; i++) {
            int digit = text[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
