package io.memfd;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.memfd.internal.NativeBuffers;

/**
 * Positional reads and writes of a memfd's descriptor into or out of any {@link ByteBuffer}: a direct buffer is
 * passed to the kernel as it is, a heap buffer goes through a pooled direct bounce buffer (the kernel needs a native
 * address, and copying through a pooled one avoids allocating direct memory per call). The caller holds the
 * descriptor (see {@link MemFd#withFd}).
 */
final class BounceIo {

    private BounceIo() {
    }

    /** Reads once at {@code position} into {@code dst}; returns the bytes read, 0 at or past the end of the file. */
    static int read(int fd, String name, long position, ByteBuffer dst) {
        return dst.isDirect() ? readDirect(fd, name, position, dst) : readThroughBounce(fd, name, position, dst);
    }

    /** Writes all of {@code src} at {@code position}. */
    static void write(int fd, String name, long position, ByteBuffer src) {
        if (src.isDirect()) {
            writeDirect(fd, name, position, src);
        } else {
            writeThroughBounce(fd, name, position, src);
        }
    }

    /** The whole content of {@code memfd} in a new array, read through its {@link MemFd#read(long, ByteBuffer)}. */
    static byte[] readAll(MemFd memfd, MemFdState state) {
        long size = memfd.size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new MemFdException("read all bytes", state.name, state.handle.number(),
                    "its " + size + " bytes do not fit in a Java array; map it or read it in ranges", 0);
        }
        byte[] content = new byte[(int) size];
        ByteBuffer target = ByteBuffer.wrap(content);
        while (target.hasRemaining()) {
            if (memfd.read(target.position(), target) < 0) {
                // Another descriptor of the file shrank it meanwhile.
                return Arrays.copyOf(content, target.position());
            }
        }
        return content;
    }

    private static int readDirect(int fd, String name, long position, ByteBuffer dst) {
        int read = FileIo.read(fd, name, NativeBuffers.address(dst), dst.remaining(), position);
        dst.position(dst.position() + read);
        return read;
    }

    private static int readThroughBounce(int fd, String name, long position, ByteBuffer dst) {
        NativeBuffers.Pooled bounce = NativeBuffers.acquire();
        try {
            int read = FileIo.read(fd, name, bounce.address(), Math.min(dst.remaining(), NativeBuffers.BOUNCE_SIZE),
                    position);
            dst.put(dst.position(), bounce.buffer(), 0, read).position(dst.position() + read);
            return read;
        } finally {
            NativeBuffers.release(bounce);
        }
    }

    private static void writeDirect(int fd, String name, long position, ByteBuffer src) {
        while (src.hasRemaining()) {
            int written = FileIo.write(fd, name, NativeBuffers.address(src), src.remaining(), position);
            src.position(src.position() + written);
            position += written;
        }
    }

    private static void writeThroughBounce(int fd, String name, long position, ByteBuffer src) {
        NativeBuffers.Pooled bounce = NativeBuffers.acquire();
        try {
            while (src.hasRemaining()) {
                int chunk = Math.min(src.remaining(), NativeBuffers.BOUNCE_SIZE);
                bounce.buffer().put(0, src, src.position(), chunk);
                for (int written = 0; written < chunk;) {
                    written += FileIo.write(fd, name, bounce.address() + written, chunk - written, position + written);
                }
                src.position(src.position() + chunk);
                position += chunk;
            }
        } finally {
            NativeBuffers.release(bounce);
        }
    }
}
