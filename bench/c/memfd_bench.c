/*
 * C peers of the JMH benchmarks in memfd-benchmarks: the same operations, measured the same way, so that every Java
 * figure has a native figure from the same run to be divided by. Built and run by bench/run.sh:
 *
 *   gcc -O2 -o bench/out/memfd_bench bench/c/memfd_bench.c
 *   bench/out/memfd_bench [-w warmups] [-i iterations] [-t milliseconds] op...
 *
 * Like a JMH fork in AverageTime mode, each op runs `warmups` untimed iterations, then `iterations` timed ones of
 * about `milliseconds` each, and prints the median over the timed iterations of their mean time per operation (the
 * figure bench/run.sh also takes from JMH):
 *
 *   op<TAB>nanoseconds per op
 *
 * Ops (the JMH peer in brackets):
 *   create_close        memfd_create + close                                      [CreateBenchmark.memfdCreateClose]
 *   create_write_seal   memfd_create + pwrite 4 KiB + F_ADD_SEALS + close         [CreateBenchmark.memfdWrite*Seal]
 *                                                                                 [*CallsBenchmark.createWriteSeal]
 *   get_seals           fcntl(F_GET_SEALS) on an open memfd                       [CreateBenchmark.memfdSeals]
 *                                                                                 [*CallsBenchmark.getSeals]
 *   geteuid             geteuid(): a system call doing nothing, a call's own cost [*CallsBenchmark.geteuid]
 *   tmpfs_write_delete  /dev/shm temp file: create, reopen, write 4 KiB, delete   [CreateBenchmark.tmpfsFileWriteDelete]
 *   mapped_sum          sum the 64-bit words of a mapped, sealed 64 MiB memfd     [MappedReadBenchmark.mapped*]
 *   pread_direct        pread the 64 MiB into a page-aligned buffer, one call     [MappedReadBenchmark.readIntoDirectBuffer]
 *   pread_bounce        pread 128 KiB chunks into a bounce buffer + memcpy out    [MappedReadBenchmark.readIntoHeapArray]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"
#include "create_write_seal.h"

#define SMALL (4 * 1024)
#define LARGE (64 * 1024 * 1024)
#define BOUNCE (128 * 1024)

static unsigned char small_data[SMALL];
static int seals_fd = -1;     /* get_seals */
static int large_fd = -1;     /* the sealed 64 MiB memfd */
static const uint64_t *large_map;
static unsigned char *large_dst; /* page-aligned, touched once */
static unsigned char *bounce;    /* page-aligned */
static volatile uint64_t sink;   /* keeps results alive */

static void create_close(void) {
    int fd = memfd_create("bench", CREATE_FLAGS);
    if (fd < 0) die("memfd_create");
    close(fd);
}

static void create_write_seal(void) {
    const char *failed = create_write_seal_once(small_data);
    if (failed) die(failed);
}

static void get_seals(void) {
    int seals = fcntl(seals_fd, F_GET_SEALS);
    if (seals < 0) die("F_GET_SEALS");
    sink += seals;
}

static void get_euid(void) {
    sink += geteuid();
}

/* What Files.createTempFile + Files.write + Files.delete ask of the kernel (strace): create exclusively, close, reopen
 * for writing with truncation, write, close, stat (delete checks for a directory), unlink. */
static void tmpfs_write_delete(void) {
    char path[] = "/dev/shm/benchXXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) die("mkstemp");
    close(fd);
    fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) die("open");
    if (write(fd, small_data, SMALL) != SMALL) die("write");
    close(fd);
    struct stat st;
    if (lstat(path, &st) < 0) die("lstat");
    if (unlink(path) < 0) die("unlink");
}

/* Four independent sums, as the JIT unrolls the Java loop: the plain one-accumulator loop that gcc -O2 emits is
 * 15-25% slower on this kind of machine, and would flatter Java. */
static uint64_t sum_words(void) {
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i < LARGE / sizeof(uint64_t); i += 4) {
        a += large_map[i];
        b += large_map[i + 1];
        c += large_map[i + 2];
        d += large_map[i + 3];
    }
    return a + b + c + d;
}

static void mapped_sum(void) {
    sink += sum_words();
}

static void pread_direct(void) {
    for (size_t done = 0; done < LARGE;) {
        ssize_t n = pread(large_fd, large_dst + done, LARGE - done, done);
        if (n <= 0) die("pread");
        done += n;
    }
}

static void pread_bounce(void) {
    for (size_t done = 0; done < LARGE;) {
        size_t want = LARGE - done < BOUNCE ? LARGE - done : BOUNCE;
        ssize_t n = pread(large_fd, bounce, want, done);
        if (n <= 0) die("pread");
        memcpy(large_dst + done, bounce, n);
        done += n;
    }
}

static void *aligned(size_t size) {
    void *p;
    if (posix_memalign(&p, 4096, size) != 0) die("posix_memalign");
    memset(p, 1, size); /* first touch outside the timing, as the JVM's buffers are */
    return p;
}

/* The sealed 64 MiB memfd of MappedReadBenchmark: word i holds i; mapped once, read once to fault the pages in. */
static void setup_large(void) {
    if (large_fd >= 0) return;
    large_fd = memfd_create("bench-64m", CREATE_FLAGS);
    if (large_fd < 0) die("memfd_create");
    uint64_t *chunk = aligned(BOUNCE);
    for (size_t pos = 0; pos < LARGE; pos += BOUNCE) {
        for (size_t i = 0; i < BOUNCE / sizeof(uint64_t); i++) chunk[i] = pos / sizeof(uint64_t) + i;
        if (pwrite(large_fd, chunk, BOUNCE, pos) != BOUNCE) die("pwrite");
    }
    free(chunk);
    if (fcntl(large_fd, F_ADD_SEALS, IMMUTABLE) < 0) die("F_ADD_SEALS");
    large_map = mmap(NULL, LARGE, PROT_READ, MAP_SHARED, large_fd, 0);
    if (large_map == MAP_FAILED) die("mmap");
    uint64_t expected = (uint64_t)(LARGE / 8) * (LARGE / 8 - 1) / 2;
    if (sum_words() != expected) {
        fprintf(stderr, "mapped sum is wrong\n");
        exit(1);
    }
    large_dst = aligned(LARGE);
    bounce = aligned(BOUNCE);
}

static void setup_seals(void) {
    if (seals_fd >= 0) return;
    seals_fd = memfd_create("bench", CREATE_FLAGS);
    if (seals_fd < 0) die("memfd_create");
}

struct op {
    const char *name;
    void (*run)(void);
    void (*setup)(void);
};

static const struct op OPS[] = {
    {"create_close", create_close, NULL},
    {"create_write_seal", create_write_seal, NULL},
    {"get_seals", get_seals, setup_seals},
    {"geteuid", get_euid, NULL},
    {"tmpfs_write_delete", tmpfs_write_delete, NULL},
    {"mapped_sum", mapped_sum, setup_large},
    {"pread_direct", pread_direct, setup_large},
    {"pread_bounce", pread_bounce, setup_large},
};

/* One iteration: runs the op in batches until `millis` have passed; returns nanoseconds per op. */
static double iteration(const struct op *op, long millis) {
    double start = now_ns(), deadline = start + millis * 1e6, end;
    long count = 0, batch = 1;
    do {
        for (long k = 0; k < batch; k++) op->run();
        count += batch;
        end = now_ns();
        if (batch < 1024) batch *= 2;
    } while (end < deadline);
    return (end - start) / count;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int warmups = 3, iterations = 5, opt;
    long millis = 1000;
    while ((opt = getopt(argc, argv, "w:i:t:")) != -1) {
        switch (opt) {
        case 'w': warmups = atoi(optarg); break;
        case 'i': iterations = atoi(optarg); break;
        case 't': millis = atol(optarg); break;
        default:
            fprintf(stderr, "usage: %s [-w warmups] [-i iterations] [-t milliseconds] op...\n", argv[0]);
            return 2;
        }
    }
    if (iterations < 1) {
        fprintf(stderr, "need at least one iteration\n");
        return 2;
    }
    memset(small_data, 0x5a, SMALL);
    for (int a = optind; a < argc; a++) {
        const struct op *op = NULL;
        for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++) {
            if (strcmp(OPS[k].name, argv[a]) == 0) op = &OPS[k];
        }
        if (op == NULL) {
            fprintf(stderr, "unknown op: %s\n", argv[a]);
            return 2;
        }
        if (op->setup) op->setup();
        for (int w = 0; w < warmups; w++) iteration(op, millis);
        double times[iterations];
        for (int i = 0; i < iterations; i++) times[i] = iteration(op, millis);
        qsort(times, iterations, sizeof times[0], compare_doubles);
        double median = iterations % 2 ? times[iterations / 2]
                                       : (times[iterations / 2 - 1] + times[iterations / 2]) / 2;
        printf("%s\t%.1f\n", op->name, median);
        fflush(stdout);
    }
    return 0;
}
