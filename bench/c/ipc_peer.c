/*
 * C peers of the IPC benchmark (bench/ipc/run.sh): a hand-off of a sealed memfd between two processes over a Unix
 * SOCK_SEQPACKET socket, in the wire format of io.memfd.ipc (request: 0x01 + header, one fd as SCM_RIGHTS; reply:
 * 0x00 + reply), and the copy it replaces: the same bytes written through a SOCK_STREAM socket. Because the C peers
 * speak the Java wire format, C and Java clients and servers can be paired in any combination.
 *
 *   gcc -O2 -o bench/out/ipc_peer bench/c/ipc_peer.c
 *
 *   ipc_peer serve PATH [check]        fd server: for each request, receive the fd (MSG_CMSG_CLOEXEC), optionally do
 *                                      the checks io.memfd.ipc.MemFdServer does (readlinkat N in /proc/self/fd,
 *                                      fstat, F_GET_SEALS), close it and reply; serves one connection at a time
 *   ipc_peer send PATH SIZE W I T      fd client: one sealed memfd of SIZE bytes, sent again and again
 *   ipc_peer copy-serve PATH SIZE      copy server: read SIZE bytes into a buffer, reply one byte
 *   ipc_peer copy-send PATH SIZE W I T copy client: write SIZE bytes from a buffer, wait for the reply
 *
 * A client runs W untimed iterations, then I timed ones, each about T milliseconds, as a JMH fork in AverageTime mode
 * does, and prints the median over the timed iterations of their mean time per round trip:
 *
 *   c<TAB>nanoseconds per round trip
 *
 * A server prints "ready" once it listens and runs until it is killed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"

#define HEADER "benchmark header"
#define IMMUTABLE (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)
#define MAX_ITERATIONS 1000
#define MAX_BUFFER (1L << 30)   /* MemFdServer's default maxBufferSize */

static struct sockaddr_un address(const char *path) {
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "socket path too long: %s\n", path);
        exit(1);
    }
    strcpy(addr.sun_path, path);
    return addr;
}

static int listening(const char *path, int type) {
    struct sockaddr_un addr = address(path);
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    unlink(path);
    if (bind(fd, (struct sockaddr *) &addr, sizeof addr) < 0) die("bind");
    if (listen(fd, 16) < 0) die("listen");
    printf("ready\n");
    fflush(stdout);
    return fd;
}

static int connected(const char *path, int type) {
    struct sockaddr_un addr = address(path);
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) die("connect");
    return fd;
}

/* What MemFdServer checks before it trusts a descriptor (io.memfd.internal.MemfdCheck, MemFd.adopt). As MemFdServer
 * does (io.memfd.internal.ProcFdDirectory), the link is read relative to /proc/self/fd, held open while serving. */
static void check(int fd_directory, int fd) {
    char name[16], target[512];
    struct stat st;
    snprintf(name, sizeof name, "%d", fd);
    ssize_t n = readlinkat(fd_directory, name, target, sizeof target - 1);
    if (n < 7 || memcmp(target, "/memfd:", 7) != 0) die("not a memfd");
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_BUFFER) die("fstat"); /* type, size */
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || !(seals & F_SEAL_SHRINK)) die("F_GET_SEALS");
}

static void serve(const char *path, int checked) {
    int listener = listening(path, SOCK_SEQPACKET);
    int fd_directory = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_directory < 0) die("open /proc/self/fd");
    char payload[65537], reply[] = { 0, 'k' };
    char control[CMSG_SPACE(sizeof(int))];
    for (;;) {
        int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) die("accept");
        for (;;) {
            struct iovec iov = { payload, sizeof payload };
            struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                                  .msg_controllen = sizeof control };
            ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
            if (n <= 0) break;
            struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
            if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS || payload[0] != 1) {
                fprintf(stderr, "a request without a descriptor\n");
                exit(1);
            }
            int fd;
            memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
            if (checked) check(fd_directory, fd);
            close(fd);
            if (send(conn, reply, sizeof reply, 0) != sizeof reply) die("send reply");
        }
        close(conn);
    }
}

/* A sealed memfd of `size` bytes, every page written, as a sender would have filled it. */
static int sealed_memfd(long size) {
    int fd = memfd_create("ipc-bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) die("memfd_create");
    if (ftruncate(fd, size) < 0) die("ftruncate");
    unsigned char *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) die("mmap");
    for (long i = 0; i < size; i++) map[i] = (unsigned char) (i * 31 >> 7);
    munmap(map, size);
    if (fcntl(fd, F_ADD_SEALS, IMMUTABLE) < 0) die("F_ADD_SEALS");
    return fd;
}

static void hand_off(int sock, int fd) {
    char request[] = "\001" HEADER, reply[65537];
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof control);
    struct iovec iov = { request, sizeof request - 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                          .msg_controllen = sizeof control };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    if (sendmsg(sock, &msg, 0) < 0) die("sendmsg");
    ssize_t n = recv(sock, reply, sizeof reply, 0);
    if (n < 1 || reply[0] != 0) {
        fprintf(stderr, "the server did not accept the buffer (%zd bytes, status %d)\n", n, n > 0 ? reply[0] : -1);
        exit(1);
    }
}

static void copy_serve(const char *path, long size) {
    int listener = listening(path, SOCK_STREAM);
    unsigned char *buffer = malloc(size);
    if (buffer == NULL) die("malloc");
    for (;;) {
        int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) die("accept");
        for (;;) {
            long received = 0;
            while (received < size) {
                ssize_t n = read(conn, buffer + received, size - received);
                if (n <= 0) goto next;
                received += n;
            }
            if (write(conn, "k", 1) != 1) die("write reply");
        }
next:
        close(conn);
    }
}

static void copy(int sock, const unsigned char *data, long size) {
    long sent = 0;
    while (sent < size) {
        ssize_t n = write(sock, data + sent, size - sent);
        if (n < 0) die("write");
        sent += n;
    }
    char reply;
    if (read(sock, &reply, 1) != 1) die("read reply");
}

static int compare(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* Runs one round trip (fd hand-off, or copy) as often as fits in each iteration; prints the median ns per trip. */
static void measure(int sock, int fd, const unsigned char *data, long size, int warmups, int iterations, int ms) {
    double results[MAX_ITERATIONS];
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
        fprintf(stderr, "iterations must be 1..%d\n", MAX_ITERATIONS);
        exit(1);
    }
    for (int i = -warmups; i < iterations; i++) {
        double start = now_ns(), end = start + ms * 1e6, now;
        long trips = 0;
        do {
            if (data == NULL) hand_off(sock, fd); else copy(sock, data, size);
            trips++;
        } while ((now = now_ns()) < end);
        if (i >= 0) results[i] = (now - start) / trips;
    }
    qsort(results, iterations, sizeof results[0], compare);
    double median = iterations % 2 ? results[iterations / 2]
                                   : (results[iterations / 2 - 1] + results[iterations / 2]) / 2;
    printf("c\t%.1f\n", median);
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "serve") == 0) {
        serve(argv[2], argc > 3 && strcmp(argv[3], "check") == 0);
    } else if (argc == 4 && strcmp(argv[1], "copy-serve") == 0) {
        copy_serve(argv[2], atol(argv[3]));
    } else if (argc == 7 && strcmp(argv[1], "send") == 0) {
        int fd = sealed_memfd(atol(argv[3]));
        measure(connected(argv[2], SOCK_SEQPACKET), fd, NULL, 0, atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
    } else if (argc == 7 && strcmp(argv[1], "copy-send") == 0) {
        long size = atol(argv[3]);
        unsigned char *data = malloc(size);
        if (data == NULL) die("malloc");
        for (long i = 0; i < size; i++) data[i] = (unsigned char) (i * 31 >> 7);
        measure(connected(argv[2], SOCK_STREAM), -1, data, size, atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
    } else {
        fprintf(stderr, "usage: see the comment at the top of %s\n", __FILE__);
        return 2;
    }
    return 0;
}
