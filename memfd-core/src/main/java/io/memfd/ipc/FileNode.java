package io.memfd.ipc;

import static io.memfd.internal.Statx.STATX_INO;
import static io.memfd.internal.Statx.STATX_MODE;
import static io.memfd.internal.Statx.STATX_NLINK;
import static io.memfd.internal.Statx.STATX_TYPE;
import static io.memfd.internal.Statx.STATX_UID;
import static io.memfd.internal.Statx.STX_DEV_MAJOR;
import static io.memfd.internal.Statx.STX_DEV_MINOR;
import static io.memfd.internal.Statx.STX_INO;
import static io.memfd.internal.Statx.STX_MODE;
import static io.memfd.internal.Statx.STX_NLINK;
import static io.memfd.internal.Statx.STX_UID;
import static io.memfd.internal.Statx.S_IFMT;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import io.memfd.internal.FdHandle;
import io.memfd.internal.NativeBuffers;
import io.memfd.internal.Statx;

/**
 * What identifies a file of the socket's directory and who may change it: a socket file, or the directory itself.
 *
 * @param type its type bits ({@code S_IFMT} of the mode)
 * @param permissions its permission bits, the sticky, set-user and set-group ones included ({@code 01777} and the like)
 * @param uid its owner
 * @param links how many names it has
 * @param identity its device and inode, equal for two lookups of the same file
 */
record FileNode(int type, int permissions, long uid, int links, String identity) {

    private static final int S_IFSOCK = 0xC000;
    private static final int S_IFDIR = 0x4000;

    boolean socket() {
        return type == S_IFSOCK;
    }

    boolean directory() {
        return type == S_IFDIR;
    }

    /** What is at {@code path}, not following a symbolic link at its end, or {@code null} when nothing is. */
    static FileNode at(Path path) {
        int fd = UnixSockets.lookUp(path);
        if (fd < 0) {
            return null;
        }
        FdHandle file = new FdHandle(fd);
        try {
            return of(fd, path);
        } finally {
            file.close();
        }
    }

    /** The file {@code fd} refers to ({@code O_PATH} descriptors too); {@code path} is for messages. */
    static FileNode of(int fd, Path path) {
        NativeBuffers.Pooled pooled = NativeBuffers.acquire();
        try {
            int errno = Statx.read(fd, STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_INO, pooled);
            if (errno != 0) {
                throw UnixSockets.failure("read the file status", path, errno);
            }
            ByteBuffer buffer = pooled.buffer();
            int mode = buffer.getShort(STX_MODE) & 0xFFFF;
            return new FileNode(mode & S_IFMT, mode & 07777, Integer.toUnsignedLong(buffer.getInt(STX_UID)),
                    buffer.getInt(STX_NLINK), buffer.getInt(STX_DEV_MAJOR) + ":" + buffer.getInt(STX_DEV_MINOR) + ":"
                            + buffer.getLong(STX_INO));
        } finally {
            NativeBuffers.release(pooled);
        }
    }
}
