package io.memfd.internal;

import java.nio.ByteBuffer;
import java.time.Instant;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * {@code statx(2)} and {@code fstatfs(2)} on a descriptor. {@code statx} is used rather than {@code fstat} because its
 * structure has one layout on every architecture. Its empty path and structure live in a pooled native buffer
 * ({@link NativeBuffers}), not in Java arrays that JNA would copy in and out: a server makes one of these calls per
 * buffer it receives.
 */
public final class FileStatus {

    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MODE = 0x2;
    private static final int STATX_NLINK = 0x4;
    private static final int STATX_UID = 0x8;
    private static final int STATX_MTIME = 0x40;
    private static final int STATX_INO = 0x100;
    private static final int STATX_SIZE = 0x200;
    private static final int STATX_BLOCKS = 0x400;
    private static final int S_IFMT = 0xF000;
    private static final int S_IFREG = 0x8000;
    private static final int S_IFSOCK = 0xC000;
    private static final int S_IFDIR = 0x4000;
    private static final long HUGETLBFS_MAGIC = 0x958458f6L;
    /** {@code struct statfs} is 120 bytes on 64-bit Linux. */
    private static final int STATFS_LONGS = 16;
    /** Where in the native buffer {@code struct statx} goes, after the empty path: 8-aligned. */
    private static final int STATX = 8;
    // Fields of struct statx, in native byte order.
    private static final int STX_BLKSIZE = STATX + 4;
    private static final int STX_NLINK = STATX + 16;
    private static final int STX_UID = STATX + 20;
    private static final int STX_MODE = STATX + 28;
    private static final int STX_INO = STATX + 32;
    private static final int STX_SIZE = STATX + 40;
    private static final int STX_BLOCKS = STATX + 48;
    private static final int STX_MTIME_SEC = STATX + 112;
    private static final int STX_MTIME_NSEC = STATX + 120;
    private static final int STX_DEV_MAJOR = STATX + 136;
    private static final int STX_DEV_MINOR = STATX + 140;

    static {
        Native.register(FileStatus.class, Libc.LIBRARY);
    }

    /** The size of the system's memory pages, which back a memfd without huge pages. */
    public static final long PAGE_SIZE = getpagesize();

    private static native int statx(int dirfd, long path, int flags, int mask, long buffer) throws LastErrorException;

    private static native int fstatfs(int fd, long[] buffer) throws LastErrorException;

    private static native int getpagesize();

    private FileStatus() {
    }

    /** The file's size in bytes. */
    public static long size(int fd, String name) {
        return statxLong(fd, name, STATX_SIZE, STX_SIZE);
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
    public record Regular(boolean regular, long size, long allocated, long pageSize) {
    }

    /** Type, size, allocated pages and page size of the file. */
    public static Regular regularFile(int fd, String name) {
        ByteBuffer buffer = statx(fd, name, STATX_TYPE | STATX_SIZE | STATX_BLOCKS);
        try {
            return new Regular((buffer.getShort(STX_MODE) & S_IFMT) == S_IFREG, buffer.getLong(STX_SIZE),
                    buffer.getLong(STX_BLOCKS) * 512, Integer.toUnsignedLong(buffer.getInt(STX_BLKSIZE)));
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /**
     * What identifies a file and who may change it.
     *
     * @param type its type bits ({@code S_IFMT} of the mode)
     * @param permissions its permission bits, the sticky, set-user and set-group ones included ({@code 01777} and
     *        the like)
     * @param uid its owner
     * @param links how many names it has
     * @param identity its device and inode, equal for two lookups of the same file
     */
    public record Node(int type, int permissions, long uid, int links, String identity) {

        public boolean socket() {
            return type == S_IFSOCK;
        }

        public boolean directory() {
            return type == S_IFDIR;
        }
    }

    /** Type, permissions, owner, link count and identity of the descriptor's file ({@code O_PATH} ones too). */
    public static Node node(int fd, String name) {
        ByteBuffer buffer = statx(fd, name, STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_INO);
        try {
            int mode = buffer.getShort(STX_MODE) & 0xFFFF;
            return new Node(mode & S_IFMT, mode & 07777, Integer.toUnsignedLong(buffer.getInt(STX_UID)),
                    buffer.getInt(STX_NLINK), buffer.getInt(STX_DEV_MAJOR) + ":" + buffer.getInt(STX_DEV_MINOR) + ":"
                            + buffer.getLong(STX_INO));
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** When the file's content last changed ({@code st_mtime}). */
    public static Instant modified(int fd, String name) {
        ByteBuffer buffer = statx(fd, name, STATX_MTIME);
        try {
            return Instant.ofEpochSecond(buffer.getLong(STX_MTIME_SEC), buffer.getInt(STX_MTIME_NSEC));
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** The file's inode number: equal on two descriptors of the same file. */
    public static long inode(int fd, String name) {
        return statxLong(fd, name, STATX_INO, STX_INO);
    }

    /** Whether the file lives on hugetlbfs: a memfd created with huge pages. */
    public static boolean isHugetlb(int fd, String name) {
        long[] buffer = new long[STATFS_LONGS];
        try {
            fstatfs(fd, buffer);
        } catch (LastErrorException e) {
            throw Libc.failure("read the file system type", name, fd, e.getErrorCode());
        }
        // f_type, the file system's magic number, is the first field.
        return buffer[0] == HUGETLBFS_MAGIC;
    }

    /** One 64-bit field of the status. */
    private static long statxLong(int fd, String name, int mask, int field) {
        ByteBuffer buffer = statx(fd, name, mask);
        try {
            return buffer.getLong(field);
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** The status in a pooled native buffer, which the caller releases. */
    private static ByteBuffer statx(int fd, String name, int mask) {
        ByteBuffer buffer = NativeBuffers.acquire();
        long address = NativeBuffers.address(buffer);
        buffer.put(0, (byte) 0);
        try {
            statx(fd, address, AT_EMPTY_PATH, mask, address + STATX);
        } catch (LastErrorException e) {
            NativeBuffers.release(buffer);
            throw Libc.failure("read the file status", name, fd, e.getErrorCode());
        }
        return buffer;
    }
}
