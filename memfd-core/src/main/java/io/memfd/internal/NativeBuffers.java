package io.memfd.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Native memory for system calls on heap data. A heap array has no stable address, so heap bytes travel through a
 * page-aligned direct "bounce" buffer; page alignment matters, the kernel copies to and from an unaligned buffer at a
 * third of the speed. The same buffers serve as scratch memory for the small structures and strings of frequent
 * calls, which JNA would otherwise copy in and out of Java arrays. Bounce buffers are pooled rather than kept per
 * thread, so that many short-lived (or virtual) threads do not each pin one.
 */
public final class NativeBuffers {

    /** Bytes per bounce buffer: large enough that a system call per chunk costs little against the copy. */
    public static final int BOUNCE_SIZE = 128 * 1024;

    private static final int PAGE = 4096;
    private static final int MAX_POOLED = 2 * Runtime.getRuntime().availableProcessors() + 2;

    private static final ConcurrentLinkedQueue<ByteBuffer> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private NativeBuffers() {
    }

    /** The native address of a direct buffer's current position. */
    public static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct)) + direct.position();
    }

    /**
     * A cleared, page-aligned direct buffer of {@link #BOUNCE_SIZE} bytes in native byte order (for structures a system
     * call fills); give it back with {@link #release}.
     */
    public static ByteBuffer acquire() {
        ByteBuffer buffer = POOL.poll();
        if (buffer == null) {
            return ByteBuffer.allocateDirect(BOUNCE_SIZE + PAGE).alignedSlice(PAGE).limit(BOUNCE_SIZE).slice()
                    .order(ByteOrder.nativeOrder());
        }
        POOLED.decrementAndGet();
        return buffer.clear();
    }

    /** Returns a buffer from {@link #acquire()} to the pool, or drops it when the pool is full. */
    public static void release(ByteBuffer buffer) {
        if (POOLED.incrementAndGet() <= MAX_POOLED) {
            POOL.offer(buffer);
        } else {
            POOLED.decrementAndGet();
        }
    }
}
