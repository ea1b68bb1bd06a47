package io.memfd;

import java.nio.charset.StandardCharsets;

import io.memfd.internal.Errno;
import io.memfd.internal.FdHandle;
import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeBuffers;
import io.memfd.internal.NativeCalls;
import io.memfd.internal.ProcFdDirectory;

/**
 * Reads where a descriptor's {@code /proc/self/fd/N} link points ({@code readlink}), the costly step of checking a
 * received descriptor: through the directory a running server holds open ({@link ProcFdDirectory}) where there is one,
 * otherwise through the full path.
 *
 * <p>The path and the target live in a pooled native buffer ({@link NativeBuffers}), whose 128 KiB hold any target
 * (at most {@code PATH_MAX}) in one read. The target is decoded as UTF-8, the encoding {@code MemfdCreate} gives
 * names, whatever the platform's encoding.
 */
final class ProcFdLink {

    /** The current working directory, for {@code readlinkat} of an absolute path (ignored by the kernel then). */
    private static final int AT_FDCWD = -100;
    /** Where the target goes in the native buffer, after the path ({@code /proc/self/fd/} and a number). */
    private static final int TARGET = 64;

    private static final NativeCalls C = NativeBackend.calls();

    private ProcFdLink() {
    }

    /**
     * Where descriptor {@code fd}'s link points. Only a number that is not open throws, so that a caller can tell it
     * from a descriptor it then owns.
     *
     * @return the target, or {@code null} when a descriptor is open under this number but its link cannot be read (a
     *     file whose path is longer than {@code PATH_MAX}, or no {@code /proc}): the caller owns it, and
     *     {@link MemfdCheck#check} rejects it
     * @throws NotMemFdException if no descriptor with this number is open
     */
    static String target(int fd, String operation) {
        FdHandle held = ProcFdDirectory.held();
        if (held != null && held.acquire()) {
            try {
                return read(held.number(), Integer.toString(fd), fd, operation);
            } finally {
                held.release();
            }
        }
        return read(AT_FDCWD, ProcFdDirectory.PATH + "/" + fd, fd, operation);
    }

    /** Reads the link in pooled native memory: the path first, then the target, which has all the room left. */
    private static String read(int dirfd, String path, int fd, String operation) {
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        try {
            long pathAddress = buffer.string(0, path.getBytes(StandardCharsets.US_ASCII));
            int size = buffer.buffer().capacity() - TARGET;
            long length = C.readlinkat(dirfd, pathAddress, buffer.address() + TARGET, size);
            if (length < 0) {
                // ENOENT also where /proc is not mounted: only the kernel itself can tell whether the number is open.
                if (length == -Errno.ENOENT.code() && !Fcntl.isOpen(fd)) {
                    throw new NotMemFdException(operation, fd, "no descriptor with this number is open");
                }
                return null;
            }
            byte[] target = new byte[(int) Math.min(length, size)];
            buffer.buffer().get(TARGET, target);
            return new String(target, StandardCharsets.UTF_8);
        } finally {
            NativeBuffers.release(buffer);
        }
    }
}
