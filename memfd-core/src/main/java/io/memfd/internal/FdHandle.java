package io.memfd.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Owns one file descriptor number and guards it against use after close.
 *
 * <p>The kernel hands a closed descriptor's number to the next {@code open} at once, so a thread that still holds the
 * number would read, write, seal or close somebody else's file. Every use of the number is therefore bracketed by
 * {@link #acquire()} and {@link #release()}. {@link #close()} only marks the handle; the descriptor itself is closed by
 * whoever finishes last, the closer or the last user in flight, and exactly once.
 */
public final class FdHandle {

    /** The sign bit of {@link #state} marks the handle closed; the other bits count users in flight. */
    private static final int CLOSED = Integer.MIN_VALUE;

    /** Updates {@link #state} atomically without an {@code AtomicInteger} per handle (one per memfd and socket). */
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdHandle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private volatile int state;

    private static final NativeCalls C = NativeBackend.calls();

    public FdHandle(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        this.fd = fd;
    }

    /**
     * The descriptor number, unguarded: valid for a system call only between {@link #acquire()} and
     * {@link #release()}, otherwise only for messages.
     */
    public int number() {
        return fd;
    }

    /** Registers a user of the number. Returns false, registering nothing, when the handle is closed. */
    public boolean acquire() {
        for (;;) {
            int current = state;
            if (current < 0) {
                return false;
            }
            if (STATE.compareAndSet(this, current, current + 1)) {
                return true;
            }
        }
    }

    /** Ends a use begun by a successful {@link #acquire()}; closes the descriptor if a close is pending. */
    public void release() {
        if ((int) STATE.getAndAdd(this, -1) - 1 == CLOSED) {
            closeDescriptor();
        }
    }

    /**
     * Marks the handle closed: no new user may acquire it. The descriptor is closed now if no user is in flight,
     * otherwise when the last one releases it. Returns false when the handle was already closed.
     */
    public boolean close() {
        for (;;) {
            int current = state;
            if (current < 0) {
                return false;
            }
            if (STATE.compareAndSet(this, current, current | CLOSED)) {
                if (current == 0) {
                    closeDescriptor();
                }
                return true;
            }
        }
    }

    /**
     * Gives up ownership without closing the descriptor, and returns its number for a new owner (such as
     * {@code MemFd.adopt}). Afterwards this handle behaves as closed. Refused while a user is in flight, who would
     * otherwise go on using a number that now belongs to someone else.
     *
     * @throws IllegalStateException if the handle is closed or in use
     */
    public int transfer() {
        if (!STATE.compareAndSet(this, 0, CLOSED)) {
            throw new IllegalStateException("descriptor " + fd + " cannot change owner: it is "
                    + (isClosed() ? "closed" : "in use"));
        }
        return fd;
    }

    public boolean isClosed() {
        return state < 0;
    }

    private void closeDescriptor() {
        int result = C.close(fd);
        if (result < 0) {
            // Linux releases the descriptor even when close reports EINTR or EIO, so retrying would close a number
            // someone else may already own; and memfd data lives in memory, so nothing was lost. EBADF is different:
            // code outside this handle closed the number, which is a bug worth seeing.
            int errno = -result;
            System.getLogger(FdHandle.class.getName()).log(
                    errno == Errno.EBADF.code() ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    "close(" + fd + ") reported " + Errno.meaning(errno) + " [" + Errno.nameOf(errno) + "]");
        }
    }
}
