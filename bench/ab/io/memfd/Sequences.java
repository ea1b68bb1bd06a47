package io.memfd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.memfd.internal.FdHandle;
import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeCalls;

/**
 * create + write 4 KiB + seal + close, built up layer by layer from the bare {@link NativeCalls} seam to the public
 * {@link MemFd} API, so that {@code AbBench} can put a price on each layer. In package {@code io.memfd} to reach the
 * package-private bindings; compiled against each jar it is run with.
 */
public final class Sequences {

    private static final NativeCalls C = NativeBackend.calls();
    private static final int FLAGS = MemfdCreate.MFD_CLOEXEC | MemfdCreate.MFD_ALLOW_SEALING
            | MemfdCreate.MFD_NOEXEC_SEAL;
    private static final String NAME = "bench";
    private static final ByteBuffer DIRECT = ByteBuffer.allocateDirect(4096);
    private static final byte[] BYTES = new byte[4096];
    private static final ByteBuffer NAME_Z = ByteBuffer.allocateDirect(16)
        .put(NAME.getBytes(StandardCharsets.US_ASCII)).put((byte) 0).clear();
    private static final long NAME_ADDRESS = C.address(NAME_Z);
    private static final long DIRECT_ADDRESS = C.address(DIRECT);
    private static final int IMMUTABLE = Seal.toBits(Seal.IMMUTABLE);
    private static final int F_ADD_SEALS = 1033;

    private Sequences() {
    }

    /** Runs {@code sequence} for about {@code millis} and returns nanoseconds per sequence. */
    public static double run(String sequence, long millis) {
        Runnable once = switch (sequence) {
            case "seam" -> Sequences::seam;
            case "bindings" -> Sequences::bindings;
            case "buffer" -> Sequences::buffer;
            case "handle" -> Sequences::handle;
            case "state" -> Sequences::state;
            case "object" -> Sequences::object;
            case "direct" -> Sequences::direct;
            case "heap" -> Sequences::heap;
            default -> throw new IllegalArgumentException("no sequence " + sequence);
        };
        long count = 0;
        long start = System.nanoTime();
        long end = start + millis * 1_000_000L;
        long now;
        do {
            for (int i = 0; i < 100; i++) {
                once.run();
            }
            count += 100;
        } while ((now = System.nanoTime()) < end);
        return (now - start) / (double) count;
    }

    /** The four calls through the seam, addresses computed once: the floor the library builds on. */
    static void seam() {
        int fd = check(C.memfdCreate(NAME_ADDRESS, FLAGS));
        check((int) C.pwrite(fd, DIRECT_ADDRESS, 4096, 0));
        check(C.fcntl(fd, F_ADD_SEALS, IMMUTABLE));
        check(C.close(fd));
    }

    /** The bindings that give each call its errors: name checked and copied, errno turned into exceptions. */
    static void bindings() {
        int fd = MemfdCreate.create(NAME, FLAGS);
        FileIo.write(fd, NAME, DIRECT_ADDRESS, 4096, 0);
        Fcntl.addSeals(fd, NAME, Seal.IMMUTABLE);
        C.close(fd);
    }

    /** The same, writing a ByteBuffer as MemFd.write does (its address taken per call). */
    static void buffer() {
        int fd = MemfdCreate.create(NAME, FLAGS);
        BounceIo.write(fd, NAME, 0, DIRECT.clear());
        Fcntl.addSeals(fd, NAME, Seal.IMMUTABLE);
        C.close(fd);
    }

    /** The same, each use of the descriptor guarded against a concurrent close. */
    static void handle() {
        FdHandle handle = new FdHandle(MemfdCreate.create(NAME, FLAGS));
        writeAndSeal(handle);
        handle.close();
    }

    /** The same with the memfd's state (id, creation time, mapping guard) made and closed as MemFd does. */
    static void state() {
        FdHandle handle = new FdHandle(MemfdCreate.create(NAME, FLAGS));
        MemFdState state = new MemFdState(NAME, handle, null, null, -1, null, MemFdState.Origin.CREATED);
        writeAndSeal(handle);
        state.closeByOwner();
        state.run();
    }

    /** The same through a MemFd object (its Cleaner registration included), made without MemFd.create. */
    static void object() {
        FdHandle handle = new FdHandle(MemfdCreate.create(NAME, FLAGS));
        try (MemFd memfd = new MemFd(new MemFdState(NAME, handle, null, null, -1, null,
                MemFdState.Origin.CREATED))) {
            memfd.write(0, DIRECT.clear());
            memfd.makeImmutable();
        }
    }

    /** The write and the seal of {@link #buffer}, each guarded by {@code handle} as MemFd guards them. */
    private static void writeAndSeal(FdHandle handle) {
        if (handle.acquire()) {
            BounceIo.write(handle.number(), NAME, 0, DIRECT.clear());
            handle.release();
        }
        if (handle.acquire()) {
            Fcntl.addSeals(handle.number(), NAME, Seal.IMMUTABLE);
            handle.release();
        }
    }

    /** The public API, from a direct buffer. */
    static void direct() {
        try (MemFd memfd = MemFd.create(NAME)) {
            memfd.write(0, DIRECT.clear());
            memfd.makeImmutable();
        }
    }

    /** The public API, from a byte[] (through the pooled bounce buffer). */
    static void heap() {
        try (MemFd memfd = MemFd.create(NAME)) {
            memfd.write(0, BYTES);
            memfd.makeImmutable();
        }
    }

    private static int check(int result) {
        if (result < 0) {
            throw new IllegalStateException("errno " + -result);
        }
        return result;
    }
}
