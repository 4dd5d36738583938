/*
 * Captures raw fanotify read buffers for the parser fixtures next to this file.
 * Usage (root): capture fid|fd MOUNTPOINT OUTFILE 'SHELL COMMANDS' -- marks MOUNTPOINT's filesystem
 * with the flags FanotifyWatcher uses, runs the commands in a child (cwd MOUNTPOINT), then writes the
 * bytes of one read(2). The fixtures were made with:
 *   fid-events.bin: mkdir dir && echo hi > dir/file && cat dir/file > /dev/null
 *                   && mv dir/file 'dir/new name' && rm 'dir/new name' && mv dir moved && rmdir moved
 *   fd-events.bin:  echo hi > file && cat file > /dev/null
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: capture fid|fd MOUNTPOINT OUTFILE COMMANDS\n");
        return 2;
    }
    int fid = strcmp(argv[1], "fid") == 0;
    unsigned int flags = FAN_CLASS_NOTIF | FAN_CLOEXEC;
    if (fid)
        flags |= FAN_REPORT_FID | FAN_REPORT_DIR_FID | FAN_REPORT_NAME | FAN_REPORT_TARGET_FID;
    int fan = fanotify_init(flags, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fan < 0) { perror("fanotify_init"); return 1; }
    unsigned long long mask = FAN_ACCESS | FAN_MODIFY | FAN_CLOSE | FAN_OPEN | FAN_ONDIR | FAN_EVENT_ON_CHILD;
    if (fid)
        mask |= FAN_CREATE | FAN_DELETE | FAN_MOVE;
    if (fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD, argv[2]) < 0) {
        perror("fanotify_mark");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        if (chdir(argv[2]) < 0) _exit(1);
        execl("/bin/sh", "sh", "-c", argv[4], (char *) NULL);
        _exit(1);
    }
    waitpid(child, NULL, 0);
    static char buffer[256 * 1024];
    ssize_t length = read(fan, buffer, sizeof buffer);
    if (length < 0) { perror("read"); return 1; }
    if (!fid) {
        /* fd mode: close the event descriptors; their numbers stay in the fixture */
        ssize_t left = length;
        for (struct fanotify_event_metadata *m = (void *) buffer; FAN_EVENT_OK(m, left); m = FAN_EVENT_NEXT(m, left))
            if (m->fd >= 0) close(m->fd);
    }
    FILE *out = fopen(argv[3], "wb");
    if (!out || fwrite(buffer, 1, length, out) != (size_t) length || fclose(out) != 0) { perror(argv[3]); return 1; }
    printf("%zd bytes\n", length);
    return 0;
}
