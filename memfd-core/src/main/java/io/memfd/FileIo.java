package io.memfd;

import java.util.Set;

import io.memfd.internal.Errno;
import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeCalls;

/** Positional reads and writes, truncation and allocation:
 * {@code pread}, {@code pwrite}, {@code ftruncate}, {@code fallocate}. */
final class FileIo {

    private static final String NOT_FOR_READING =
            "the descriptor is not open for reading (or was closed by code outside this library)";
    private static final String NOT_FOR_WRITING =
            "the descriptor is not open for writing (or was closed by code outside this library)";

    private static final NativeCalls C = NativeBackend.calls();
    private static final int EINTR = -Errno.EINTR.code();

    private FileIo() {
    }

    /** Reads up to {@code count} bytes at {@code offset} into native memory; returns the count read, 0 at the end. */
    static int read(int fd, String name, long address, int count, long offset) {
        for (;;) {
            long read = C.pread(fd, address, count, offset);
            if (read >= 0) {
                return (int) read;
            }
            if (read != EINTR) {
                throw readFailed(fd, name, count, offset, (int) -read);
            }
        }
    }

    /** Writes up to {@code count} bytes from native memory at {@code offset}; returns the count written. */
    static int write(int fd, String name, long address, int count, long offset) {
        for (;;) {
            long written = C.pwrite(fd, address, count, offset);
            if (written >= 0) {
                return (int) written;
            }
            if (written != EINTR) {
                throw writeFailed(fd, name, count, offset, (int) -written);
            }
        }
    }

    /** Sets the file's size. */
    static void truncate(int fd, String name, long size) {
        for (;;) {
            int result = C.ftruncate(fd, size);
            if (result >= 0) {
                return;
            }
            if (result != EINTR) {
                throw truncateFailed(fd, name, size, -result);
            }
        }
    }

    /** Allocates pages for {@code [offset, offset + length)}, growing the file where the range passes its end. */
    static void allocate(int fd, String name, long offset, long length) {
        for (;;) {
            int result = C.fallocate(fd, 0, offset, length);
            if (result >= 0) {
                return;
            }
            if (result != EINTR) {
                throw allocateFailed(fd, name, offset, length, -result);
            }
        }
    }

    private static MemFdException readFailed(int fd, String name, int count, long offset, int errno) {
        String operation = "read " + count + " bytes at offset " + offset;
        if (errno == Errno.EBADF.code()) {
            return new NotPermittedException(operation, name, fd, NOT_FOR_READING, errno);
        }
        return MemFdException.failure(operation, name, fd, errno);
    }

    private static MemFdException writeFailed(int fd, String name, int count, long offset, int errno) {
        String operation = "write " + count + " bytes at offset " + offset;
        if (errno == Errno.EPERM.code()) {
            Set<Seal> seals = Fcntl.seals(fd, name);
            if (seals.contains(Seal.WRITE) || seals.contains(Seal.FUTURE_WRITE)) {
                return new WriteSealedException(operation, name, fd,
                        seals.contains(Seal.WRITE) ? Seal.WRITE : Seal.FUTURE_WRITE, errno);
            }
            if (seals.contains(Seal.GROW)) {
                return new ResizeSealedException(operation, name, fd, Seal.GROW, errno);
            }
        }
        if (errno == Errno.EBADF.code()) {
            return new NotPermittedException(operation, name, fd, NOT_FOR_WRITING, errno);
        }
        if (errno == Errno.EINVAL.code()) {
            return new MemFdException(operation, name, fd,
                    "invalid argument; hugetlb memfds have no write(), fill them through a mapping", errno);
        }
        return MemFdException.failure(operation, name, fd, errno);
    }

    private static MemFdException truncateFailed(int fd, String name, long size, int errno) {
        String operation = "resize to " + size + " bytes";
        if (errno == Errno.EPERM.code()) {
            Set<Seal> seals = Fcntl.seals(fd, name);
            long current = FileStatus.size(fd, name);
            Seal blocking = size < current ? Seal.SHRINK : Seal.GROW;
            if (seals.contains(blocking)) {
                return new ResizeSealedException(operation, name, fd, blocking, errno);
            }
        }
        if (errno == Errno.EINVAL.code() || errno == Errno.EBADF.code()) {
            return new MemFdException(operation, name, fd, "the descriptor is not open for writing, or the size is"
                    + " invalid (a hugetlb memfd's size must be a multiple of its page size)", errno);
        }
        return MemFdException.failure(operation, name, fd, errno);
    }

    private static MemFdException allocateFailed(int fd, String name, long offset, long length, int errno) {
        String operation = "allocate " + length + " bytes at offset " + offset;
        if (errno == Errno.EPERM.code() && Fcntl.seals(fd, name).contains(Seal.GROW)) {
            return new ResizeSealedException(operation, name, fd, Seal.GROW, errno);
        }
        if (errno == Errno.EBADF.code()) {
            return new NotPermittedException(operation, name, fd, NOT_FOR_WRITING, errno);
        }
        return MemFdException.failure(operation, name, fd, errno);
    }
}
