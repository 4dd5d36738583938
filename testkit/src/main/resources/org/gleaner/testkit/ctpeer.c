/*
 * Traffic of known sizes for the conntrack tests.
 *   ctpeer serve PORT ADDR...    UDP echo on each ADDR (bound, so replies leave from it) and TCP
 *                                echo (until EOF) on PORT of every address
 *   ctpeer flows SECONDS COUNT PORT SIZE0 ADDR...
 *                                COUNT short flows, alternately UDP (one datagram of SIZE, echoed)
 *                                and TCP (SIZE bytes, echoed, then closed), cycling over ADDRs;
 *                                flow i carries SIZE0 + (i * 37) % 1000 bytes each way
 *   ctpeer long ADDR PORT        one TCP flow: for each number N read on stdin, sends N bytes,
 *                                reads the N echoed back, prints "ok"; exits on EOF
 *   ctpeer flood ADDR COUNT SIZE [SRC]
 *                                COUNT datagrams of SIZE from one UDP socket to ports 20000-29999 (one flow each)
 * Every loop is bounded; any failure exits non-zero with a message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <time.h>

static void die(const char *what) { perror(what); exit(2); }

static socklen_t address(const char *text, int port, struct sockaddr_storage *out) {
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *) out;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *) out;
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET; v4->sin_port = htons(port); return sizeof *v4;
    }
    if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6; v6->sin6_port = htons(port); return sizeof *v6;
    }
    fprintf(stderr, "bad address %s\n", text); exit(2);
}

static void write_all(int fd, const char *buf, size_t n) {
    while (n > 0) { ssize_t w = write(fd, buf, n); if (w <= 0) die("write"); buf += w; n -= w; }
}

static void read_exactly(int fd, char *buf, size_t n) {
    while (n > 0) { ssize_t r = read(fd, buf, n); if (r <= 0) die("read"); buf += r; n -= r; }
}

static void *echo_tcp(void *arg) {
    int fd = (int) (long) arg; char buf[65536]; ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) write_all(fd, buf, r);
    close(fd); return NULL;
}

static void *serve_udp(void *arg) {
    int fd = (int) (long) arg; char buf[65536];
    for (;;) {
        struct sockaddr_storage from; socklen_t len = sizeof from;
        ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &len);
        if (r >= 0) sendto(fd, buf, r, 0, (struct sockaddr *) &from, len);
    }
    return NULL;
}

static void serve(int port, char **addresses, int naddresses) {
    struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT};
    int one = 1, zero = 0;
    pthread_t thread;
    for (int i = 0; i < naddresses; i++) {
        struct sockaddr_storage at;
        socklen_t len = address(addresses[i], port, &at);
        int udp = socket(at.ss_family, SOCK_DGRAM, 0);
        if (udp < 0) die("socket");
        if (bind(udp, (struct sockaddr *) &at, len)) die("bind udp");
        pthread_create(&thread, NULL, serve_udp, (void *) (long) udp);
    }
    int tcp = socket(AF_INET6, SOCK_STREAM, 0);
    if (tcp < 0) die("socket");
    setsockopt(tcp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(tcp, (struct sockaddr *) &any, sizeof any)) die("bind tcp");
    if (listen(tcp, 1024)) die("listen");
    printf("ready\n"); fflush(stdout);
    for (;;) {
        int fd = accept(tcp, NULL, NULL);
        if (fd < 0) continue;
        pthread_create(&thread, NULL, echo_tcp, (void *) (long) fd);
        pthread_detach(thread);
    }
}

static int flows(int seconds, int count, int port, int size0, char **addresses, int naddresses) {
    char buf[4096], back[4096];
    memset(buf, 'x', sizeof buf);
    struct timeval timeout = {.tv_sec = seconds};
    for (int i = 0; i < count; i++) {
        struct sockaddr_storage to;
        socklen_t len = address(addresses[i % naddresses], port, &to);
        int size = size0 + (i * 37) % 1000;
        int tcp = i % 2;
        int fd = socket(to.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
        if (fd < 0) die("socket");
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        if (connect(fd, (struct sockaddr *) &to, len)) die("connect");
        if (tcp) {
            write_all(fd, buf, size);
            shutdown(fd, SHUT_WR);
            read_exactly(fd, back, size);
            if (read(fd, back, 1) != 0) die("tcp eof");
        } else {
            if (send(fd, buf, size, 0) != size) die("send");
            if (recv(fd, back, sizeof back, 0) != size) die("recv");
        }
        close(fd);
    }
    printf("done %d\n", count); fflush(stdout);
    return 0;
}

static int longflow(const char *addr, int port) {
    struct sockaddr_storage to;
    socklen_t len = address(addr, port, &to);
    int fd = socket(to.ss_family, SOCK_STREAM, 0);
    struct timeval timeout = {.tv_sec = 20};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (fd < 0 || connect(fd, (struct sockaddr *) &to, len)) die("connect");
    static char buf[1 << 20], back[1 << 20];
    memset(buf, 'y', sizeof buf);
    char line[64];
    printf("ok\n"); fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {
        int n = atoi(line);
        if (n < 0 || n > (int) sizeof buf) { fprintf(stderr, "bad size\n"); return 2; }
        write_all(fd, buf, n);
        read_exactly(fd, back, n);
        printf("ok\n"); fflush(stdout);
    }
    close(fd);
    return 0;
}

static int flood(const char *addr, int count, int size, const char *source) {
    struct sockaddr_storage to;
    socklen_t len = address(addr, 20000, &to);
    int fd = socket(to.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    if (source) {
        struct sockaddr_storage from;
        socklen_t flen = address(source, 0, &from);
        if (bind(fd, (struct sockaddr *) &from, flen)) die("bind");
    }
    char buf[2048];
    memset(buf, 'z', sizeof buf);
    for (int i = 0; i < count; i++) {
        int port = 20000 + i % 10000;
        if (to.ss_family == AF_INET) ((struct sockaddr_in *) &to)->sin_port = htons(port);
        else ((struct sockaddr_in6 *) &to)->sin6_port = htons(port);
        if (sendto(fd, buf, size, 0, (struct sockaddr *) &to, len) != size) die("sendto");
    }
    printf("done %d\n", count); fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "serve")) serve(atoi(argv[2]), argv + 3, argc - 3);
    if (argc >= 7 && !strcmp(argv[1], "flows"))
        return flows(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), argv + 6, argc - 6);
    if (argc == 4 && !strcmp(argv[1], "long")) return longflow(argv[2], atoi(argv[3]));
    if ((argc == 5 || argc == 6) && !strcmp(argv[1], "flood"))
        return flood(argv[2], atoi(argv[3]), atoi(argv[4]), argc == 6 ? argv[5] : NULL);
    fprintf(stderr, "usage: ctpeer serve|flows|long|flood ...\n");
    return 2;
}
