package io.memfd.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * {@code statx(2)} and {@code fstatfs(2)} on a descriptor. {@code statx} is used rather than {@code fstat} because its
 * structure has one layout on every architecture; the buffers are read as little-endian {@code long}s.
 */
public final class FileStatus {

    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MODE = 0x2;
    private static final int STATX_INO = 0x100;
    private static final int STATX_SIZE = 0x200;
    private static final byte[] EMPTY_PATH = {0};
    private static final int S_IFMT = 0xF000;
    private static final int S_IFREG = 0x8000;
    private static final long HUGETLBFS_MAGIC = 0x958458f6L;

    /** {@code struct statx} is 256 bytes. */
    private static final int STATX_LONGS = 32;
    /** {@code struct statfs} is 120 bytes on 64-bit Linux. */
    private static final int STATFS_LONGS = 16;

    static {
        Native.register(FileStatus.class, Libc.LIBRARY);
    }

    private static native int statx(int dirfd, byte[] path, int flags, int mask, long[] buffer)
            throws LastErrorException;

    private static native int fstatfs(int fd, long[] buffer) throws LastErrorException;

    private FileStatus() {
    }

    /** The file's size in bytes. */
    public static long size(int fd, String name) {
        return statx(fd, name, STATX_SIZE)[5];
    }

    /** Whether the descriptor refers to a regular file. */
    public static boolean isRegularFile(int fd, String name) {
        return (mode(fd, name) & S_IFMT) == S_IFREG;
    }

    /** The file's mode: type and permission bits. */
    private static int mode(int fd, String name) {
        // stx_mode is the u16 at byte 28: the upper half of the fourth long.
        return (int) (statx(fd, name, STATX_TYPE | STATX_MODE)[3] >>> 32) & 0xFFFF;
    }

    /** The file's inode number: equal on two descriptors of the same file. */
    public static long inode(int fd, String name) {
        return statx(fd, name, STATX_INO)[4];
    }

    /** Whether the file lives on hugetlbfs: a memfd created with huge pages. */
    public static boolean isHugetlb(int fd, String name) {
        return fileSystemType(fd, name) == HUGETLBFS_MAGIC;
    }

    /** The magic number of the file system the file lives on ({@code f_type}). */
    public static long fileSystemType(int fd, String name) {
        long[] buffer = new long[STATFS_LONGS];
        try {
            fstatfs(fd, buffer);
        } catch (LastErrorException e) {
            throw Libc.failure("read the file system type", name, fd, e.getErrorCode());
        }
        return buffer[0];
    }

    private static long[] statx(int fd, String name, int mask) {
        long[] buffer = new long[STATX_LONGS];
        try {
            statx(fd, EMPTY_PATH, AT_EMPTY_PATH, mask, buffer);
        } catch (LastErrorException e) {
            throw Libc.failure("read the file status", name, fd, e.getErrorCode());
        }
        return buffer;
    }
}
