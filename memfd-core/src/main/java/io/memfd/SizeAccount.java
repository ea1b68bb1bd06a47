package io.memfd;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one tracked memfd costs against its registry's budget: what the kernel holds for it, not its byte count.
 * <ul>
 * <li>Its pages: the size rounded up to whole pages (huge pages for a hugetlb memfd). A sparse file holds fewer for
 * now, but any write, or a page fault of a mapping, fills a hole, so the budget counts them all.
 * <li>Pages its sender allocated beyond the end before handing it over ({@code fallocate} with
 * {@code FALLOC_FL_KEEP_SIZE}): they stay with the file however small its size.
 * <li>The kernel's objects for the file: inode, dentry and open file ({@link #FILE_BYTES}).
 * </ul>
 * The account follows the largest size this library let the file reach. Growth is accounted before the file grows,
 * so that a refused growth never happens; a close ends the account for good, so that a write racing the close cannot
 * leave bytes counted for a memfd that is gone.
 */
final class SizeAccount {

    /**
     * The kernel memory of a memfd's file besides its pages: a shmem inode, a dentry and an open file, 752 + 192 + 192
     * bytes of slab on Linux 6.18 x86_64 ({@code /proc/slabinfo}), rounded to 1 KiB.
     */
    static final long FILE_BYTES = 1024;

    /** The value of a closed account: no growth may be accounted any more. */
    private static final long CLOSED = Long.MIN_VALUE;

    private final MemFdRegistry registry;
    private final String name;
    private final long pageSize;
    /** The bytes of pages allocated when the account opened, whatever the size: never charged less than these. */
    private final long allocated;
    /** The largest size accounted, or {@link #CLOSED}. */
    private final AtomicLong accounted;

    /**
     * @param pageSize the size of the file's pages
     * @param size the file's size when the account opens
     * @param allocated the bytes of pages the file holds then (0 for a new one)
     */
    SizeAccount(MemFdRegistry registry, String name, long pageSize, long size, long allocated) {
        this.registry = registry;
        this.name = name;
        this.pageSize = pageSize;
        this.allocated = allocated;
        this.accounted = new AtomicLong(size);
    }

    /** The bytes charged for the file at {@code size} bytes. */
    long charge(long size) {
        long pages = size / pageSize + (size % pageSize == 0 ? 0 : 1);
        return Math.max(pages * pageSize, allocated) + FILE_BYTES;
    }

    /** The bytes charged now; 0 once closed. */
    long bytes() {
        long size = accounted.get();
        return size == CLOSED ? 0 : charge(size);
    }

    /**
     * Accounts growth to {@code end} bytes before the file grows; returns the bytes of size newly accounted, which
     * {@link #growthFailed} gives back if the growth then fails.
     *
     * @throws SizeLimitExceededException, BudgetExceededException if the limits forbid it
     * @throws MemFdClosedException if the memfd was closed meanwhile
     */
    long growTo(int fd, long end, String operation) {
        for (;;) {
            long current = accounted.get();
            if (current == CLOSED) {
                throw new MemFdClosedException(operation, name);
            }
            if (end <= current) {
                return 0;
            }
            long charged = charge(end) - charge(current);
            registry.reserve(name, fd, operation, end, charged);
            if (accounted.compareAndSet(current, end)) {
                return end - current;
            }
            registry.giveBack(charged);
        }
    }

    /**
     * After a growth to {@code end} that accounted {@code grown} bytes failed: keeps what the file really reached (a
     * large write may have grown it part of the way) and gives back the rest.
     */
    void growthFailed(long end, long grown, long actualSize) {
        long kept = Math.max(end - grown, Math.min(actualSize, end));
        if (kept < end && accounted.compareAndSet(end, kept)) {
            registry.giveBack(charge(end) - charge(kept));
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
                registry.giveBack(charge(current) - charge(size));
                return;
            }
        }
    }

    /** Ends the account and returns the bytes it charged, for the registry to give back. */
    long close() {
        long held = accounted.getAndSet(CLOSED);
        return held == CLOSED ? 0 : charge(held);
    }
}
