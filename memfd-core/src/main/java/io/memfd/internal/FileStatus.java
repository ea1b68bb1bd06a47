package io.memfd.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * {@code statx(2)} on a descriptor, used rather than {@code fstat} because its structure has one layout on every
 * architecture; the buffers are read as little-endian {@code long}s.
 */
public final class FileStatus {

    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_INO = 0x100;
    private static final int STATX_SIZE = 0x200;
    private static final byte[] EMPTY_PATH = {0};
    private static final int S_IFMT = 0xF000;
    private static final int S_IFREG = 0x8000;

    /** {@code struct statx} is 256 bytes. */
    private static final int STATX_LONGS = 32;

    static {
        Native.register(FileStatus.class, Libc.LIBRARY);
    }

    private static native int statx(int dirfd, byte[] path, int flags, int mask, long[] buffer)
            throws LastErrorException;

    private FileStatus() {
    }

    /** The file's size in bytes. */
    public static long size(int fd, String name) {
        return statx(fd, name, STATX_SIZE)[5];
    }

    /**
     * The file's size in bytes if the descriptor refers to a regular file, otherwise -1: type and size from one
     * {@code statx}, as a receiver checking a descriptor needs both.
     */
    public static long regularFileSize(int fd, String name) {
        long[] status = statx(fd, name, STATX_TYPE | STATX_SIZE);
        // stx_mode is the u16 at byte 28: the upper half of the fourth long.
        int mode = (int) (status[3] >>> 32) & 0xFFFF;
        return (mode & S_IFMT) == S_IFREG ? status[5] : -1;
    }

    /** The file's inode number: equal on two descriptors of the same file. */
    public static long inode(int fd, String name) {
        return statx(fd, name, STATX_INO)[4];
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
