/*
 * The C peer's create_write_seal, in one place for the two programs that run it: memfd_bench.c (a process of its own,
 * bench/run.sh) and peer_loop.c (a library inside the JVM, bench/same-process.sh).
 */
#ifndef CREATE_WRITE_SEAL_H
#define CREATE_WRITE_SEAL_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

#define CREATE_FLAGS (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL)
#define IMMUTABLE (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)
#define CREATE_WRITE_SEAL_SIZE 4096

/* memfd_create + pwrite 4 KiB of data + F_ADD_SEALS + close. Returns NULL, or the name of the call that failed with
 * errno still telling why (the memfd is closed either way). */
static const char *create_write_seal_once(const unsigned char *data) {
    int fd = memfd_create("bench", CREATE_FLAGS);
    if (fd < 0) return "memfd_create";
    const char *failed = NULL;
    if (pwrite(fd, data, CREATE_WRITE_SEAL_SIZE, 0) != CREATE_WRITE_SEAL_SIZE) {
        failed = "pwrite";
    } else if (fcntl(fd, F_ADD_SEALS, IMMUTABLE) < 0) {
        failed = "F_ADD_SEALS";
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return failed;
}

#endif
