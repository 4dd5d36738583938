/*
 * memhog PRIVATE_MIB SHARED_MIB CHILDREN [COMM]
 * A process with known memory for tests. Waits for a line on stdin (time to put it in a cgroup),
 * then maps and touches SHARED_MIB of MAP_SHARED anonymous memory, forks CHILDREN children that
 * share it (and map it in), and in every process (parent and children) maps and touches PRIVATE_MIB of private
 * anonymous memory. Prints "ready PID CHILD..." and waits for stdin to close; its children die
 * with it (PR_SET_PDEATHSIG). COMM, if given, is set with prctl(PR_SET_NAME).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 64

static char *touch_new(size_t bytes, int seed, int flags) {
    if (bytes == 0)
        return NULL;
    char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        perror("memhog: mmap");
        exit(1);
    }
    for (size_t i = 0; i < bytes; i += 4096)
        memory[i] = (char)(seed + (i >> 12)) | 1; /* non-zero: a real page, never the zero page */
    return memory;
}

/* fork() copies no page tables for shared mappings: a child maps the pages only once it touches them */
static void map_in(volatile const char *memory, size_t bytes) {
    char sum = 0;
    for (size_t i = 0; i < bytes; i += 4096)
        sum ^= memory[i];
    (void)sum;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: memhog PRIVATE_MIB SHARED_MIB CHILDREN [COMM]\n");
        return 2;
    }
    size_t private_bytes = (size_t)atol(argv[1]) << 20;
    size_t shared_bytes = (size_t)atol(argv[2]) << 20;
    int children = atoi(argv[3]);
    if (children < 0 || children > MAX_CHILDREN) {
        fprintf(stderr, "memhog: at most %d children\n", MAX_CHILDREN);
        return 2;
    }
    if (argc > 4)
        prctl(PR_SET_NAME, argv[4]);
    char line[64];
    if (!fgets(line, sizeof line, stdin))
        return 1;

    char *shared = touch_new(shared_bytes, 7, MAP_SHARED);
    int ready[2];
    if (pipe(ready) != 0) {
        perror("memhog: pipe");
        return 1;
    }
    pid_t pids[MAX_CHILDREN];
    for (int c = 0; c < children; c++) {
        pids[c] = fork();
        if (pids[c] < 0) {
            perror("memhog: fork");
            return 1;
        }
        if (pids[c] == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            map_in(shared, shared_bytes);
            touch_new(private_bytes, c + 1, MAP_PRIVATE);
            if (write(ready[1], "x", 1) != 1)
                _exit(1);
            for (;;)
                pause();
        }
    }
    touch_new(private_bytes, 100, MAP_PRIVATE);
    for (int c = 0; c < children; c++) {
        char byte;
        if (read(ready[0], &byte, 1) != 1)
            return 1;
    }
    printf("ready %d", (int)getpid());
    for (int c = 0; c < children; c++)
        printf(" %d", (int)pids[c]);
    printf("\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin))
        ;
    for (int c = 0; c < children; c++) {
        kill(pids[c], SIGKILL);
        waitpid(pids[c], NULL, 0);
    }
    return 0;
}
