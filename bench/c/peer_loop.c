/*
 * The C peer of memfd_bench.c's create_write_seal as a shared library, for bench/same-process.sh: the JVM calls
 * peer_create_write_seal(n) once per n sequences, so that C and the library alternate within one process and one
 * minute (io.memfd.benchmarks.SameProcessBench).
 *
 *   gcc -O2 -Wall -shared -fPIC -o bench/out/libmemfd_peer.so bench/c/peer_loop.c
 */
#define _GNU_SOURCE
#include "create_write_seal.h"

static unsigned char small_data[CREATE_WRITE_SEAL_SIZE];

/* create_write_seal, n times; returns 0, or -1 after the first failure (errno says why). */
int peer_create_write_seal(long n) {
    for (long i = 0; i < n; i++) {
        if (create_write_seal_once(small_data)) return -1;
    }
    return 0;
}
