package io.memfd;

import static io.memfd.internal.Statx.STATX_BLOCKS;
import static io.memfd.internal.Statx.STATX_MTIME;
import static io.memfd.internal.Statx.STATX_SIZE;
import static io.memfd.internal.Statx.STATX_TYPE;
import static io.memfd.internal.Statx.STX_BLKSIZE;
import static io.memfd.internal.Statx.STX_BLOCKS;
import static io.memfd.internal.Statx.STX_MODE;
import static io.memfd.internal.Statx.STX_MTIME_NSEC;
import static io.memfd.internal.Statx.STX_MTIME_SEC;
import static io.memfd.internal.Statx.STX_SIZE;
import static io.memfd.internal.Statx.S_IFMT;

import java.nio.ByteBuffer;
import java.time.Instant;

import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeBuffers;
import io.memfd.internal.NativeCalls;
import io.memfd.internal.Statx;

/**
 * What a memfd's file is: its size, pages and modification time ({@code statx(2)}, through {@link Statx}), whether it
 * lives on hugetlbfs ({@code fstatfs(2)}), and the system's page size.
 */
final class FileStatus {

    private static final int S_IFREG = 0x8000;
    private static final long HUGETLBFS_MAGIC = 0x958458f6L;
    private static final NativeCalls C = NativeBackend.calls();

    /** The size of the system's memory pages, which back a memfd without huge pages. */
    static final long PAGE_SIZE = C.getpagesize();

    private FileStatus() {
    }

    /** The file's size in bytes. */
    static long size(int fd, String name) {
        NativeBuffers.Pooled buffer = statx(fd, name, STATX_SIZE);
        try {
            return buffer.buffer().getLong(STX_SIZE);
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /**
     * What a receiver checking a descriptor needs to know of the file, from one {@code statx}.
     *
     * @param regular whether it is a regular file
     * @param size its size in bytes
     * @param allocated the bytes of pages it holds ({@code st_blocks}): fewer than its size in a sparse file, more
     *        where pages were allocated beyond the end
     * @param pageSize the size of its pages ({@code st_blksize}: the huge page size on hugetlbfs)
     */
    record Regular(boolean regular, long size, long allocated, long pageSize) {
    }

    /** Type, size, allocated pages and page size of the file. */
    static Regular regularFile(int fd, String name) {
        NativeBuffers.Pooled buffer = statx(fd, name, STATX_TYPE | STATX_SIZE | STATX_BLOCKS);
        try {
            ByteBuffer status = buffer.buffer();
            return new Regular((status.getShort(STX_MODE) & S_IFMT) == S_IFREG, status.getLong(STX_SIZE),
                    status.getLong(STX_BLOCKS) * 512, Integer.toUnsignedLong(status.getInt(STX_BLKSIZE)));
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** When the file's content last changed ({@code st_mtime}). */
    static Instant modified(int fd, String name) {
        NativeBuffers.Pooled buffer = statx(fd, name, STATX_MTIME);
        try {
            ByteBuffer status = buffer.buffer();
            return Instant.ofEpochSecond(status.getLong(STX_MTIME_SEC), status.getInt(STX_MTIME_NSEC));
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** Whether the file lives on hugetlbfs: a memfd created with huge pages. */
    static boolean isHugetlb(int fd, String name) {
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        try {
            int result = C.fstatfs(fd, buffer.address());
            if (result < 0) {
                throw MemFdException.failure("read the file system type", name, fd, -result);
            }
            // f_type, the file system's magic number, is the first field of struct statfs.
            return buffer.buffer().getLong(0) == HUGETLBFS_MAGIC;
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** The status in a pooled native buffer, which the caller releases. */
    private static NativeBuffers.Pooled statx(int fd, String name, int mask) {
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        int errno = Statx.read(fd, mask, buffer);
        if (errno != 0) {
            NativeBuffers.release(buffer);
            throw MemFdException.failure("read the file status", name, fd, errno);
        }
        return buffer;
    }
}
