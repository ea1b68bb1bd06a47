/*
 * The C peer of memfd_bench.c's create_write_seal as a shared library, for bench/same-process.sh: the JVM calls
 * peer_create_write_seal(n) once per n sequences, so that C and the library alternate within one process and one
 * minute (io.memfd.benchmarks.SameProcessBench).
 *
 *   gcc -O2 -Wall -shared -fPIC -o bench/out/libmemfd_peer.so bench/c/peer_loop.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

#define SMALL 4096
#define CREATE_FLAGS (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL)
#define IMMUTABLE (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static unsigned char small_data[SMALL] = { 0x5a };

/* memfd_create + pwrite 4 KiB + F_ADD_SEALS + close, n times; returns 0, or -1 after the first failure. */
int peer_create_write_seal(long n) {
    for (long i = 0; i < n; i++) {
        int fd = memfd_create("bench", CREATE_FLAGS);
        if (fd < 0) return -1;
        if (pwrite(fd, small_data, SMALL, 0) != SMALL || fcntl(fd, F_ADD_SEALS, IMMUTABLE) < 0) {
            close(fd);
            return -1;
        }
        close(fd);
    }
    return 0;
}
