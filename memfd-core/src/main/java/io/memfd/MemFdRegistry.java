package io.memfd;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * The live memfds of one {@link MemFdFactory}: how many, how many bytes, each one's name, size, seals and age, and
 * the running totals of created, released and leaked buffers. This is what metrics, health and the Actuator endpoint
 * read. All methods are thread-safe and cheap enough to call on every scrape.
 *
 * <p>Bytes are what the kernel holds for each buffer, as the budget counts them: its size rounded up to whole pages
 * (never less than the pages an adopted buffer came with), plus about 1 KiB for the kernel's objects of the file. They
 * follow the largest size this library let each buffer reach, as buffers grow and shrink through {@link MemFd}. A
 * closed buffer stays counted while its pages are still held ({@link #lingeringBytes()}). Holding
 * a buffer here does not keep its {@code MemFd} reachable, so a buffer that is dropped without {@code close()} is still
 * found and reported as a leak.
 */
public final class MemFdRegistry {

    private final ConcurrentHashMap<Long, MemFdState> live = new ConcurrentHashMap<>();
    private final AtomicLong usedBytes = new AtomicLong();
    /**
     * Closed buffers whose pages a channel, a mapping or a duplicate still keeps in the kernel
     * ({@link MemFdState#heldElsewhere()}): still charged, until nothing holds them.
     */
    private final Set<MemFdState> lingering = ConcurrentHashMap.newKeySet();
    /** The least time between two collections {@link #collectLingeringMappings} asks for. */
    private static final long COLLECTION_INTERVAL_NANOS = 5_000_000_000L;
    /** When {@link #collectLingeringMappings} last asked for a collection ({@link System#nanoTime()}). */
    private final AtomicLong lastCollectionRequest = new AtomicLong(System.nanoTime() - COLLECTION_INTERVAL_NANOS);
    /** Live buffers plus those being created or adopted: what the maximum count is checked against. */
    private final AtomicInteger places = new AtomicInteger();
    private final LongAdder created = new LongAdder();
    private final LongAdder released = new LongAdder();
    private final LongAdder leaked = new LongAdder();
    /** Tells buffers' creation times and ages. */
    final Clock clock;
    private final long maxSize;
    private final long maxTotalSize;
    private final int maxCount;
    private final LeakDetection leakDetection;
    private final LeakListener leakListener;

    MemFdRegistry(long maxSize, long maxTotalSize, int maxCount, LeakDetection leakDetection,
            LeakListener leakListener, Clock clock) {
        this.clock = clock;
        this.maxSize = maxSize;
        this.maxTotalSize = maxTotalSize;
        this.maxCount = maxCount;
        this.leakDetection = leakDetection;
        this.leakListener = leakListener;
    }

    /** The number of live buffers. */
    public int count() {
        return live.size();
    }

    /**
     * The bytes the kernel holds for live buffers, as counted against the budget (see the class comment), and for
     * closed ones whose pages something else still holds: a channel from {@link MemFd#newFileChannel()} or a
     * response's, a mapping not yet garbage-collected, a {@link MemFd#dup() duplicate}.
     */
    public long usedBytes() {
        releaseLingering();
        return usedBytes.get();
    }

    /**
     * The part of {@link #usedBytes()} that closed buffers hold: their pages are still in the kernel, kept by a channel
     * from {@link MemFd#newFileChannel()}, a mapping not yet garbage-collected, or a {@link MemFd#dup() duplicate}.
     */
    public long lingeringBytes() {
        releaseLingering();
        long bytes = 0;
        for (MemFdState state : lingering) {
            bytes += state.account.bytes();
        }
        return bytes;
    }

    /** The total budget across live buffers (and closed ones still held, see {@link #usedBytes()}), if one is set. */
    public OptionalLong maxTotalSize() {
        return maxTotalSize == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(maxTotalSize);
    }

    /** The most live buffers there may be at once, if a limit is set. */
    public OptionalInt maxCount() {
        return maxCount == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(maxCount);
    }

    /** The per-buffer size limit, if one is set. */
    public OptionalLong maxSize() {
        return maxSize == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(maxSize);
    }

    /** Buffers created or adopted since the factory was built. */
    public long createdCount() {
        return created.sum();
    }

    /** Buffers closed by the application (or by closing the factory). */
    public long releasedCount() {
        return released.sum();
    }

    /** Buffers that became unreachable without being closed, closed by the garbage collector instead. */
    public long leakedCount() {
        return leaked.sum();
    }

    /**
     * The live buffers and their bytes (as counted against the budget), split by whether they are sealed
     * ({@link MemFdInfo#isSealed()}), in one pass. Cheaper than {@link #buffers()}: a buffer costs a system call only
     * until it is first seen sealed, as seals are never removed.
     */
    public Usage usage() {
        int sealedCount = 0;
        int unsealedCount = 0;
        long sealedBytes = 0;
        long unsealedBytes = 0;
        for (MemFdState state : live.values()) {
            if (state.handle.isClosed()) {
                continue;
            }
            if (state.isSealed()) {
                sealedCount++;
                sealedBytes += state.account.bytes();
            } else {
                unsealedCount++;
                unsealedBytes += state.account.bytes();
            }
        }
        return new Usage(sealedCount, sealedBytes, unsealedCount, unsealedBytes);
    }

    /**
     * Live buffers and bytes split by sealing, from {@link #usage()}.
     *
     * @param sealedCount buffers carrying a seal other than {@link Seal#EXEC}
     * @param sealedBytes the bytes they hold
     * @param unsealedCount the other live buffers
     * @param unsealedBytes the bytes those hold
     */
    public record Usage(int sealedCount, long sealedBytes, int unsealedCount, long unsealedBytes) {
    }

    /** A snapshot of every live buffer, oldest first. */
    public List<MemFdInfo> buffers() {
        List<MemFdInfo> buffers = new ArrayList<>(live.size());
        for (MemFdState state : live.values()) {
            MemFdInfo info = state.info();
            if (info != null) {
                buffers.add(info);
            }
        }
        buffers.sort(Comparator.comparingLong(MemFdInfo::id));
        return buffers;
    }

    /** The live buffer with this id. */
    public Optional<MemFd> find(long id) {
        MemFdState state = live.get(id);
        return Optional.ofNullable(state == null ? null : state.owner());
    }

    /**
     * The most recently created live buffer with this name (the full name, with the factory's prefix), among those the
     * application created: an adopted buffer keeps the name its sender chose, and a sender may choose any name, so
     * adopted buffers are never found by name (find them by {@link #find(long) id}). Names need not be unique; the
     * kernel does not require it either.
     */
    public Optional<MemFd> find(String name) {
        return find(name, (memfd) -> true);
    }

    /**
     * As {@link #find(String)}, among the buffers {@code accept} accepts: e.g. not an upload that is still arriving.
     */
    public Optional<MemFd> find(String name, Predicate<MemFd> accept) {
        MemFd newest = null;
        long newestId = -1;
        for (MemFdState state : live.values()) {
            if (state.origin != MemFdState.Origin.ADOPTED && state.name.equals(name) && state.id > newestId) {
                MemFd memfd = state.owner();
                if (memfd != null && accept.test(memfd)) {
                    newest = memfd;
                    newestId = state.id;
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    /**
     * Opens the account of a buffer about to be created or adopted, before it is: takes a place among the live buffers,
     * checks its size and reserves its charge. Throws, taking nothing, when a limit forbids it.
     *
     * @param size its size; {@code allocated}, the bytes of pages it holds already (an adopted one may hold more)
     * @throws CountLimitExceededException, SizeLimitExceededException, BudgetExceededException
     */
    SizeAccount open(String name, int fd, String operation, long pageSize, long size, long allocated) {
        takePlace(name, operation);
        try {
            SizeAccount account = new SizeAccount(this, name, pageSize, size, allocated);
            checkSize(name, fd, operation, Math.max(size, allocated));
            reserveBudget(name, fd, operation, account.bytes());
            return account;
        } catch (RuntimeException e) {
            places.decrementAndGet();
            throw e;
        }
    }

    /** Gives back what {@link #open} took, for a buffer that was then neither created nor adopted. */
    void cancel(SizeAccount account) {
        giveBack(account.close());
        places.decrementAndGet();
    }

    void register(MemFdState state) {
        live.put(state.id, state);
        created.increment();
    }

    /** Charges {@code delta} more bytes for a buffer growing to {@code newSize}, or refuses. */
    void reserve(String name, int fd, String operation, long newSize, long delta) {
        checkSize(name, fd, operation, newSize);
        reserveBudget(name, fd, operation, delta);
    }

    void giveBack(long bytes) {
        usedBytes.addAndGet(-bytes);
    }

    void unregister(MemFdState state, boolean wasLeaked, MemFdInfo lastSeen) {
        if (live.remove(state.id) == null) {
            return;
        }
        if (state.heldElsewhere()) {
            lingering.add(state);
            releaseLingering();
        } else {
            giveBack(state.account.close());
        }
        places.decrementAndGet();
        if (!wasLeaked) {
            released.increment();
            return;
        }
        leaked.increment();
        if (leakDetection != LeakDetection.NONE && lastSeen != null) {
            try {
                leakListener.leaked(lastSeen, state.creationSite);
            } catch (RuntimeException e) {
                // A failing listener must not stop the cleaner thread, which closes every other leaked memfd.
                System.getLogger(MemFdRegistry.class.getName()).log(System.Logger.Level.ERROR,
                        "memfd leak listener failed", e);
            }
        }
    }

    /** Closes every live buffer; a later use of one throws {@link MemFdClosedException}. */
    void closeAll() {
        for (MemFdState state : live.values()) {
            MemFd memfd = state.owner();
            if (memfd != null) {
                memfd.close();
            }
        }
    }

    LeakDetection leakDetection() {
        return leakDetection;
    }

    private void takePlace(String name, String operation) {
        if (places.incrementAndGet() > maxCount) {
            places.decrementAndGet();
            throw new CountLimitExceededException(operation, name, maxCount);
        }
    }

    private void checkSize(String name, int fd, String operation, long size) {
        if (size > maxSize) {
            throw new SizeLimitExceededException(operation, name, fd, maxSize, size);
        }
    }

    /** Gives back the charges of closed buffers that nothing holds any more. */
    private void releaseLingering() {
        for (MemFdState state : lingering) {
            if (!state.heldElsewhere() && lingering.remove(state)) {
                giveBack(state.account.close());
            }
        }
    }

    /**
     * Reserves {@code bytes}, or refuses. Before refusing while closed buffers still hold part of the budget, it gives
     * back what nothing holds any more, and then, at most once per {@link #COLLECTION_INTERVAL_NANOS}, asks for a
     * garbage collection: a mapping of a closed buffer (each response Jetty sends from a mapping leaves one) is
     * unmapped only when it is collected, as the JDK does for direct buffers past {@code -XX:MaxDirectMemorySize}.
     */
    private void reserveBudget(String name, int fd, String operation, long bytes) {
        int freeingTried = 0;
        for (;;) {
            long used = usedBytes.get();
            if (bytes > maxTotalSize - used) {
                if (freeingTried == 0 && !lingering.isEmpty()) {
                    releaseLingering();
                    freeingTried = 1;
                    continue;
                }
                if (freeingTried == 1 && collectLingeringMappings()) {
                    freeingTried = 2;
                    continue;
                }
                throw new BudgetExceededException(operation, name, fd, maxTotalSize, used, bytes, lingeringBytes());
            }
            if (usedBytes.compareAndSet(used, used + bytes)) {
                return;
            }
        }
    }

    /**
     * Asks for a collection, so that mappings of closed buffers that nothing reaches are unmapped and their charges
     * given back; returns whether it did. Rate-limited: a client that can make reservations fail must not be able to
     * make the application collect all the time.
     */
    private boolean collectLingeringMappings() {
        long last = lastCollectionRequest.get();
        long now = System.nanoTime();
        if (lingering.isEmpty() || now - last < COLLECTION_INTERVAL_NANOS
                || !lastCollectionRequest.compareAndSet(last, now)) {
            return false;
        }
        System.gc();
        releaseLingering();
        return true;
    }
}
