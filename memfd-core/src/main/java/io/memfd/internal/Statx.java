package io.memfd.internal;

/**
 * {@code statx(2)} of a descriptor into pooled native memory: the call behind what {@code io.memfd} reads of a memfd
 * (size, pages, modification time) and what {@code io.memfd.ipc} reads of a socket file (type, owner, mode). It is
 * used rather than {@code fstat} because its structure has one layout on every architecture; its empty path and
 * structure live in a pooled native buffer ({@link NativeBuffers}), as a server makes the call for every buffer it
 * receives. A failure is returned as its errno, which each caller words
 * for its own operation.
 */
public final class Statx {

    public static final int STATX_TYPE = 0x1;
    public static final int STATX_MODE = 0x2;
    public static final int STATX_NLINK = 0x4;
    public static final int STATX_UID = 0x8;
    public static final int STATX_MTIME = 0x40;
    public static final int STATX_INO = 0x100;
    public static final int STATX_SIZE = 0x200;
    public static final int STATX_BLOCKS = 0x400;
    /** The file type bits of {@code stx_mode}. */
    public static final int S_IFMT = 0xF000;

    /** Where in the native buffer {@code struct statx} goes, after the empty path: 8-aligned. */
    private static final int STATX = 8;
    // Where each field of struct statx is in the buffer, in native byte order.
    public static final int STX_BLKSIZE = STATX + 4;
    public static final int STX_NLINK = STATX + 16;
    public static final int STX_UID = STATX + 20;
    public static final int STX_MODE = STATX + 28;
    public static final int STX_INO = STATX + 32;
    public static final int STX_SIZE = STATX + 40;
    public static final int STX_BLOCKS = STATX + 48;
    public static final int STX_MTIME_SEC = STATX + 112;
    public static final int STX_MTIME_NSEC = STATX + 120;
    public static final int STX_DEV_MAJOR = STATX + 136;
    public static final int STX_DEV_MINOR = STATX + 140;

    private static final int AT_EMPTY_PATH = 0x1000;

    private static final NativeCalls C = NativeBackend.calls();

    private Statx() {
    }

    /**
     * Reads the fields {@code mask} names of the file {@code fd} refers to into {@code buffer}, a buffer from
     * {@link NativeBuffers#acquire()} that the caller releases; the fields are then at the {@code STX_} offsets.
     *
     * @return 0, or the errno of the failure
     */
    public static int read(int fd, int mask, NativeBuffers.Pooled buffer) {
        long address = buffer.address();
        buffer.buffer().put(0, (byte) 0);
        int result = C.statx(fd, address, AT_EMPTY_PATH, mask, address + STATX);
        return result < 0 ? -result : 0;
    }
}
