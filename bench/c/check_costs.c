/*
 * What each system call of a MemFdServer's checks on a received memfd costs on this machine, next to a system call
 * that does nothing: the checks' share of a hand-off's round trip (docs/BENCHMARKS.md, issue 14). Each line is one
 * round of 200,000 calls of each, on one sealed memfd:
 *
 *   gcc -O2 -o bench/out/check_costs bench/c/check_costs.c && taskset -c 0 bench/out/check_costs
 *
 *   readlinkat   readlinkat(/proc/self/fd, "N"): the link that tells a memfd by its name ("/memfd:NAME (deleted)")
 *   statx        statx(fd, "", AT_EMPTY_PATH): type, size and allocated blocks
 *   get_seals    fcntl(F_GET_SEALS)
 *   getppid      a system call that does nothing: the price of entering and leaving the kernel
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_common.h"

#define CALLS 200000

int main(void) {
    int fd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) die("memfd_create");
    if (ftruncate(fd, 4096) < 0) die("ftruncate");
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) die("F_ADD_SEALS");
    int directory = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0) die("open /proc/self/fd");
    char name[16], target[300];
    snprintf(name, sizeof name, "%d", fd);
    struct statx status;
    for (int round = 0; round < 3; round++) {
        double t0 = now_ns();
        for (int i = 0; i < CALLS; i++) {
            if (readlinkat(directory, name, target, sizeof target) < 0) die("readlinkat");
        }
        double t1 = now_ns();
        for (int i = 0; i < CALLS; i++) {
            if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE | STATX_BLOCKS, &status) < 0) die("statx");
        }
        double t2 = now_ns();
        for (int i = 0; i < CALLS; i++) {
            if (fcntl(fd, F_GET_SEALS) < 0) die("F_GET_SEALS");
        }
        double t3 = now_ns();
        for (int i = 0; i < CALLS; i++) {
            getppid();
        }
        double t4 = now_ns();
        printf("readlinkat %.0f ns   statx %.0f ns   get_seals %.0f ns   getppid %.0f ns\n", (t1 - t0) / CALLS,
               (t2 - t1) / CALLS, (t3 - t2) / CALLS, (t4 - t3) / CALLS);
    }
    return 0;
}
