package org.gleaner.collectors.syscallio;

/**
 * The final statistics of one task (thread) as the kernel sends them when it exits.
 *
 * @param pid the task's id (a thread id for threads)
 * @param tgid its process (thread group) id; 0 if the kernel's struct is older than version 12
 * @param ppid the process id of its parent at exit
 * @param comm the command name (at most 15 bytes from the kernel, any bytes)
 * @param counters its I/O counters; the kernel rounds each down to a multiple of 1024 (KB_MASK in
 *     kernel/tsacct.c), so syscall counts below 1024 read as 0
 * @param groupDead whether it was the last task of its process (AGROUP in ac_flag): the process is
 *     gone, and its parent's /proc/PID/io takes in the whole process's counters when it reaps it
 * @param version the struct taskstats version the kernel wrote
 */
public record TaskExit(int pid, int tgid, int ppid, String comm, IoCounters counters, boolean groupDead, int version) {}
