/*
 * manymaps COUNT
 * A process whose smaps is huge: COUNT separate one-page mappings (alternately read-only and
 * read-write, so the kernel cannot merge neighbours into one), left untouched so that they cost no
 * memory. Prints "ready PID" and waits for stdin to close. COUNT must stay under vm.max_map_count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: manymaps COUNT\n");
        return 2;
    }
    long count = atol(argv[1]);
    long page = sysconf(_SC_PAGESIZE);
    char *area = mmap(NULL, (size_t)(count * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
        perror("manymaps: mmap");
        return 1;
    }
    for (long i = 0; i < count; i++) {
        if (i % 2 == 1 && mprotect(area + i * page, (size_t)page, PROT_READ) != 0) {
            perror("manymaps: mprotect");
            return 1;
        }
    }
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, stdin))
        ;
    return 0;
}
