package io.memfd;

import java.util.concurrent.atomic.AtomicLong;

import io.memfd.internal.FdHandle;

/**
 * The bytes one tracked memfd holds against its registry's limits: the largest size this library let the file reach.
 * Growth is accounted before the file grows, so that a refused growth never happens; a close ends the account for
 * good, so that a write racing the close cannot leave bytes counted for a memfd that is gone.
 */
final class SizeAccount {

    /** The value of a closed account: no growth may be accounted any more. */
    private static final long CLOSED = Long.MIN_VALUE;

    private final MemFdRegistry registry;
    private final String name;
    private final FdHandle handle;
    private final AtomicLong accounted;

    SizeAccount(MemFdRegistry registry, String name, FdHandle handle, long initialSize) {
        this.registry = registry;
        this.name = name;
        this.handle = handle;
        this.accounted = new AtomicLong(initialSize);
    }

    /** The bytes held now; 0 once closed. */
    long bytes() {
        long bytes = accounted.get();
        return bytes == CLOSED ? 0 : bytes;
    }

    /**
     * Accounts growth to {@code end} bytes before the file grows; returns the bytes newly accounted, which
     * {@link #growthFailed} gives back if the growth then fails.
     *
     * @throws SizeLimitExceededException, BudgetExceededException if the limits forbid it
     * @throws MemFdClosedException if the memfd was closed meanwhile
     */
    long growTo(long end, String operation) {
        for (;;) {
            long current = accounted.get();
            if (current == CLOSED) {
                throw new MemFdClosedException(operation, name);
            }
            if (end <= current) {
                return 0;
            }
            long delta = end - current;
            registry.reserve(name, handle.number(), operation, end, delta);
            if (accounted.compareAndSet(current, end)) {
                return delta;
            }
            registry.giveBack(delta);
        }
    }

    /**
     * After a growth to {@code end} that accounted {@code grown} bytes failed: keeps what the file really reached (a
     * large write may have grown it part of the way) and gives back the rest.
     */
    void growthFailed(long end, long grown, long actualSize) {
        long kept = Math.max(end - grown, Math.min(actualSize, end));
        if (kept < end && accounted.compareAndSet(end, kept)) {
            registry.giveBack(end - kept);
        }
    }

    /** Accounts a shrink to {@code size} bytes after the file shrank. */
    void shrunkTo(long size) {
        for (;;) {
            long current = accounted.get();
            if (current == CLOSED || size >= current) {
                return;
            }
            if (accounted.compareAndSet(current, size)) {
                registry.giveBack(current - size);
                return;
            }
        }
    }

    /** Ends the account and returns the bytes it held, for the registry to give back. */
    long close() {
        long held = accounted.getAndSet(CLOSED);
        return held == CLOSED ? 0 : held;
    }
}
