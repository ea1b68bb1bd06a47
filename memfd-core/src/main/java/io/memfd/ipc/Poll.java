package io.memfd.ipc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

import io.memfd.internal.Errno;
import io.memfd.internal.Libc;

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

    static {
        Native.register(Poll.class, Libc.LIBRARY);
    }

    private static native int poll(byte[] fds, long count, int timeoutMillis) throws LastErrorException;

    private static native int eventfd(int initialValue, int flags) throws LastErrorException;

    private static native int eventfd_write(int fd, long value) throws LastErrorException;

    private Poll() {
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
        try {
            return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw UnixSockets.failure("create a wake-up eventfd", path, e.getErrorCode());
        }
    }

    /** Makes the wake-up descriptor readable for good, waking every {@link #await} on it. */
    static void wake(int wakeUp, Path path) {
        try {
            eventfd_write(wakeUp, 1);
        } catch (LastErrorException e) {
            // EAGAIN: the counter is at its maximum, so it is readable already.
            if (e.getErrorCode() != Errno.EAGAIN.code()) {
                throw UnixSockets.failure("signal the wake-up eventfd", path, e.getErrorCode());
            }
        }
    }

    /**
     * Waits until {@code socket} is ready for {@code events}, {@code wakeUp} is signalled (-1: no wake-up), or
     * {@code timeoutMillis} pass (-1: no limit). The wake-up wins when both happen.
     */
    static Outcome await(int socket, short events, int wakeUp, long timeoutMillis, Path path) {
        ByteBuffer fds = ByteBuffer.allocate(2 * POLLFD_BYTES).order(ByteOrder.nativeOrder());
        fds.putInt(0, wakeUp).putShort(4, POLLIN).putInt(POLLFD_BYTES, socket).putShort(POLLFD_BYTES + 4, events);
        long limit = Math.min(timeoutMillis, Integer.MAX_VALUE);
        long deadline = System.nanoTime() + Math.max(limit, 0) * 1_000_000;
        for (;;) {
            long remaining = limit < 0 ? -1 : Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            int ready;
            try {
                ready = poll(fds.array(), 2, (int) remaining);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR.code()) {
                    continue;
                }
                throw UnixSockets.failure("wait for the socket", path, e.getErrorCode());
            }
            if (ready == 0) {
                return Outcome.TIMED_OUT;
            }
            return fds.getShort(6) != 0 ? Outcome.WOKEN : Outcome.READY;
        }
    }
}
