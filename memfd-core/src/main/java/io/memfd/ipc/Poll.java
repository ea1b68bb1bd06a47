package io.memfd.ipc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import io.memfd.internal.Errno;
import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeBuffers;
import io.memfd.internal.NativeCalls;

/**
 * Waiting for a socket with a way out: {@code poll(2)} on the socket together with a wake-up {@code eventfd(2)}.
 *
 * <p>A thread inside a native call cannot be interrupted from Java, so a server whose threads blocked in
 * {@code accept} or {@code recvmsg} could not stop. Its threads wait here instead, and stopping signals the eventfd
 * once: it stays readable (nobody reads it), so every thread waiting now or later returns at once.
 */
final class Poll {

    /** The socket is readable: a message, a pending connection, or the end of the stream. */
    static final short POLLIN = 0x1;
    /** The socket can take a message. */
    static final short POLLOUT = 0x4;

    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    /** {@code struct pollfd}: int fd, short events, short revents. */
    private static final int POLLFD_BYTES = 8;
    /** The two {@code struct pollfd} of a wait: the wake-up descriptor's, then the socket's. */
    static final int FDS_BYTES = 2 * POLLFD_BYTES;

    private static final NativeCalls C = NativeBackend.calls();

    private Poll() {
    }

    /**
     * Native memory for the {@code pollfd}s of one waiting thread at a time, so that a wait allocates nothing: a
     * connection's lies in its message buffer, the accepting thread has its own.
     */
    static final class Fds {
        private final ByteBuffer memory;
        private final long address;

        /** @param memory {@link #FDS_BYTES} of direct memory */
        Fds(ByteBuffer memory) {
            this.memory = memory.order(ByteOrder.nativeOrder());
            this.address = NativeBuffers.address(memory);
        }

        /** Memory of its own. */
        static Fds allocate() {
            return new Fds(ByteBuffer.allocateDirect(FDS_BYTES));
        }
    }

    /** What ended a wait. */
    enum Outcome {
        /** The socket is ready for the requested events, or has an error or hang-up to report. */
        READY,
        /** The wake-up descriptor was signalled. */
        WOKEN,
        /** The time ran out. */
        TIMED_OUT
    }

    /** A new wake-up descriptor for {@link #await}: a non-blocking, close-on-exec eventfd. */
    static int newWakeUp(Path path) {
        int fd = C.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            throw UnixSockets.failure("create a wake-up eventfd", path, -fd);
        }
        return fd;
    }

    /** Makes the wake-up descriptor readable for good, waking every {@link #await} on it. */
    static void wake(int wakeUp, Path path) {
        int result = C.eventfdWrite(wakeUp, 1);
        // EAGAIN: the counter is at its maximum, so it is readable already.
        if (result < 0 && result != -Errno.EAGAIN.code()) {
            throw UnixSockets.failure("signal the wake-up eventfd", path, -result);
        }
    }

    /**
     * Waits until {@code socket} is ready for {@code events}, {@code wakeUp} is signalled (-1: no wake-up), or
     * {@code timeoutMillis} pass (-1: no limit). The wake-up wins when both happen. {@code fds} is the caller's, used
     * by no other thread meanwhile.
     */
    static Outcome await(Fds fds, int socket, short events, int wakeUp, long timeoutMillis, Path path) {
        ByteBuffer memory = fds.memory;
        memory.putInt(0, wakeUp).putShort(4, POLLIN).putShort(6, (short) 0).putInt(POLLFD_BYTES, socket)
                .putShort(POLLFD_BYTES + 4, events).putShort(POLLFD_BYTES + 6, (short) 0);
        long limit = Math.min(timeoutMillis, Integer.MAX_VALUE);
        long deadline = System.nanoTime() + Math.max(limit, 0) * 1_000_000;
        for (;;) {
            long remaining = limit < 0 ? -1 : Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            int ready = C.poll(fds.address, 2, (int) remaining);
            if (ready == -Errno.EINTR.code()) {
                continue;
            }
            if (ready < 0) {
                throw UnixSockets.failure("wait for the socket", path, -ready);
            }
            if (ready == 0) {
                return Outcome.TIMED_OUT;
            }
            return memory.getShort(6) != 0 ? Outcome.WOKEN : Outcome.READY;
        }
    }
}
