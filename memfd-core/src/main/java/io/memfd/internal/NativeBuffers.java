package io.memfd.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Native memory for system calls on heap data. A heap array has no stable address, so heap bytes travel through a
 * page-aligned direct "bounce" buffer; page alignment matters, the kernel copies to and from an unaligned buffer at a
 * third of the speed. The same buffers serve as scratch memory for the small structures and strings of frequent
 * calls, which never cross {@link NativeCalls} as Java arrays. Bounce buffers are pooled rather than kept per thread,
 * so that many short-lived (or virtual) threads do not each pin one; taking one from the pool and giving it back
 * allocates nothing, and each keeps the native address it was made with.
 */
public final class NativeBuffers {

    /** Bytes per bounce buffer: large enough that a system call per chunk costs little against the copy. */
    public static final int BOUNCE_SIZE = 128 * 1024;

    private static final int PAGE = 4096;
    private static final NativeCalls C = NativeBackend.calls();

    /** Free buffers; a null slot is empty. Slots rather than a queue: a queue allocates a node per offer. */
    private static final AtomicReferenceArray<Pooled> POOL =
            new AtomicReferenceArray<>(2 * Runtime.getRuntime().availableProcessors() + 2);

    private NativeBuffers() {
    }

    /** A buffer of the pool and its native address. */
    public static final class Pooled {
        private final ByteBuffer buffer;
        private final long address;

        private Pooled() {
            this.buffer = ByteBuffer.allocateDirect(BOUNCE_SIZE + PAGE).alignedSlice(PAGE).limit(BOUNCE_SIZE).slice()
                    .order(ByteOrder.nativeOrder());
            this.address = C.address(buffer);
        }

        /** The buffer, in native byte order; its position and limit are the caller's until {@link #release}. */
        public ByteBuffer buffer() {
            return buffer;
        }

        /** The native address of the buffer's first byte (not of its position). */
        public long address() {
            return address;
        }

        /** Puts {@code bytes} and a NUL at {@code offset}: a C string, whose native address this returns. */
        public long string(int offset, byte[] bytes) {
            buffer.put(offset, bytes).put(offset + bytes.length, (byte) 0);
            return address + offset;
        }
    }

    /** The native address of a direct buffer's current position. */
    public static long address(ByteBuffer direct) {
        return C.address(direct);
    }

    /**
     * A page-aligned direct buffer of {@link #BOUNCE_SIZE} bytes, cleared, in native byte order (for structures a
     * system call fills); give it back with {@link #release}.
     */
    public static Pooled acquire() {
        for (int i = 0; i < POOL.length(); i++) {
            Pooled pooled = POOL.get(i) == null ? null : POOL.getAndSet(i, null);
            if (pooled != null) {
                pooled.buffer.clear();
                return pooled;
            }
        }
        return new Pooled();
    }

    /** Returns a buffer from {@link #acquire()} to the pool, or drops it when the pool is full. */
    public static void release(Pooled pooled) {
        for (int i = 0; i < POOL.length(); i++) {
            if (POOL.get(i) == null && POOL.compareAndSet(i, null, pooled)) {
                return;
            }
        }
    }
}
