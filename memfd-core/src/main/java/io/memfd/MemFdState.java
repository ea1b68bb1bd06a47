package io.memfd;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.memfd.internal.FdHandle;

/**
 * Everything about an open memfd except the {@link MemFd} object itself, so that the {@link java.lang.ref.Cleaner}
 * (this is its action) and the registry can hold it without keeping the {@code MemFd} reachable. When a factory made
 * the memfd, it also keeps the size accounted against the factory's limits.
 */
final class MemFdState implements Runnable {

    private static final AtomicLong IDS = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    final long id = IDS.incrementAndGet();
    final String name;
    final FdHandle handle;
    /** When this process created or adopted the memfd, in epoch milliseconds ({@link #info} makes the Instant). */
    final long createdAtMillis;

    /** The registry that tracks this memfd, or {@code null}. */
    final MemFdRegistry registry;
    /** The bytes held against the registry's limits, or {@code null} when no registry tracks this memfd. */
    final SizeAccount account;
    /**
     * The size, when adoption found the file sealed against both shrinking and growing: seals are never removed, so
     * it cannot change, and {@link MemFd#size()} need not ask the kernel again (a server reads the size of every
     * buffer it receives). Otherwise -1.
     */
    final long fixedSize;
    /** Where the memfd was created, under {@link LeakDetection#TRACE}. */
    final Throwable creationSite;
    /** How this process came to hold the memfd. */
    final Origin origin;
    /** Decides which mappings are safe from a shrinking file, and keeps them so. */
    final MappingGuard mappings;
    /** The public object, for registry look-ups by name; weak so that a leak can still be detected. */
    private volatile WeakReference<MemFd> owner;

    /** Set once the memfd is seen sealed; seals are never removed, so the kernel need not be asked again. */
    private volatile boolean sealed;

    private boolean closedByOwner;
    private boolean cleaned;
    private FileChannel channel;
    /**
     * What else keeps the file's pages in the kernel once this descriptor is closed, weakly held: channels opened
     * through {@code /proc}, mappings, duplicates. Only for a memfd a registry tracks, whose budget must hold for as
     * long as they do; {@code null} until the first.
     */
    private List<WeakReference<Object>> holders;
    /** The size at which {@link #holdAlso} next drops released holders: doubling, so that adding stays cheap. */
    private int holdersSweepAt = 16;
    /** Holders being made ({@link #beginHolding}): the file counts as held until they are recorded or have failed. */
    private int holdersBeingMade;

    /**
     * @param account its charge against the registry's limits, opened by the registry; {@code null} without one
     */
    MemFdState(String name, FdHandle handle, MemFdRegistry registry, SizeAccount account, long fixedSize,
            Throwable creationSite, Origin origin) {
        this.name = name;
        this.createdAtMillis = clock(registry).millis();
        this.handle = handle;
        this.registry = registry;
        this.account = account;
        this.fixedSize = fixedSize;
        this.creationSite = creationSite;
        this.origin = origin;
        this.mappings = new MappingGuard(origin);
    }

    /** How this process came to hold a memfd. */
    enum Origin {
        /** Created here, close-on-exec: no other descriptor of the file exists until this object hands one out. */
        CREATED,
        /** Created here without close-on-exec: every program this process runs gets a descriptor. */
        CREATED_INHERITABLE,
        /** Received from elsewhere: its sender may still hold the file, and chose its name. */
        ADOPTED,
        /** A duplicate of another memfd's descriptor. */
        DUPLICATED
    }

    /** {@code /proc/PID/fd/N}: the path through which another process can open descriptor {@code fd} of this one. */
    static String procPath(int fd) {
        return "/proc/" + PID + "/fd/" + fd;
    }

    void attach(MemFd memfd) {
        owner = new WeakReference<>(memfd);
    }

    /** The public object while it is reachable and open. */
    MemFd owner() {
        WeakReference<MemFd> reference = owner;
        MemFd memfd = reference == null ? null : reference.get();
        return memfd == null || handle.isClosed() ? null : memfd;
    }

    /** A snapshot, or {@code null} when the memfd was closed meanwhile. */
    MemFdInfo info() {
        if (!handle.acquire()) {
            return null;
        }
        try {
            int fd = handle.number();
            Instant createdAt = Instant.ofEpochMilli(createdAtMillis);
            return new MemFdInfo(id, name, fd, FileStatus.size(fd, name), Fcntl.seals(fd, name), createdAt,
                    Duration.between(createdAt, clock(registry).instant()), origin == Origin.ADOPTED);
        } finally {
            handle.release();
        }
    }

    /** The registry's clock, which tests may set; the system's for an untracked memfd. */
    private static Clock clock(MemFdRegistry registry) {
        return registry == null ? Clock.systemUTC() : registry.clock;
    }

    /**
     * Whether the memfd is sealed, as {@link MemFdInfo#isSealed()} says; {@code false} once closed. Asks the kernel
     * ({@code F_GET_SEALS}: another descriptor or process may have added seals) only until the answer is yes.
     */
    boolean isSealed() {
        if (!sealed && handle.acquire()) {
            try {
                // Only ever set: a concurrent caller's older "no" must not undo a newer "yes".
                if (MemFdInfo.isSealed(Fcntl.seals(handle.number(), name))) {
                    sealed = true;
                }
            } finally {
                handle.release();
            }
        }
        return sealed;
    }

    /**
     * A read-only channel on the file, opened through {@code /proc/self/fd/N} on first use (that open costs several
     * microseconds, so memfds that never need a channel never pay it) and closed with the memfd.
     */
    synchronized FileChannel channel(String operation) {
        if (cleaned) {
            throw new MemFdClosedException(operation, name);
        }
        if (channel == null || !channel.isOpen()) {
            channel = reopen(operation, StandardOpenOption.READ);
        }
        return channel;
    }

    /** A new channel on the file through {@code /proc/self/fd/N}; the caller closes it. */
    FileChannel reopen(String operation, StandardOpenOption... options) {
        if (!handle.acquire()) {
            throw new MemFdClosedException(operation, name);
        }
        beginHolding();
        try {
            FileChannel opened = FileChannel.open(Path.of("/proc/self/fd/" + handle.number()), options);
            holdAlso(opened);
            return opened;
        } catch (IOException e) {
            Fcntl.requireFreeDescriptor(handle.number(), operation, name, e);
            MemFdException failure = new MemFdException(operation, name, handle.number(),
                    "cannot open /proc/self/fd/" + handle.number() + ": " + e, 0);
            failure.initCause(e);
            throw failure;
        } finally {
            endHolding();
            handle.release();
        }
    }

    /**
     * A holder of the file is being made (a channel opened, the descriptor duplicated): until {@link #endHolding},
     * the file counts as held, so that a close on another thread, which does not wait for it, cannot give the charge
     * back before {@link #holdAlso} records the holder.
     */
    synchronized void beginHolding() {
        holdersBeingMade++;
    }

    /** The holder from {@link #beginHolding} is recorded, or was never made. */
    synchronized void endHolding() {
        holdersBeingMade--;
    }

    /**
     * Records that {@code holder} (an open channel, a mapping, a duplicate {@code MemFd}) keeps the file's pages, so
     * that the registry charges them until it is closed or unreachable, even after this memfd is closed. Called between
     * {@link #beginHolding} and {@link #endHolding}, or while another recorded holder is open (a mapping, while the
     * channel it is made through is).
     */
    void holdAlso(Object holder) {
        if (registry == null) {
            return;
        }
        synchronized (this) {
            if (holders == null) {
                holders = new ArrayList<>();
            }
            if (holders.size() >= holdersSweepAt) {
                holders.removeIf(MemFdState::released);
                holdersSweepAt = Math.max(16, 2 * holders.size());
            }
            holders.add(new WeakReference<>(holder));
        }
    }

    /** Whether anything recorded by {@link #holdAlso}, or being made, still keeps the file's pages. */
    synchronized boolean heldElsewhere() {
        if (holders != null) {
            holders.removeIf(MemFdState::released);
        }
        return holdersBeingMade > 0 || (holders != null && !holders.isEmpty());
    }

    private static boolean released(WeakReference<Object> reference) {
        Object holder = reference.get();
        return holder == null || (holder instanceof Channel open && !open.isOpen())
                || (holder instanceof MemFd duplicate && !duplicate.isOpen());
    }

    void closeByOwner() {
        synchronized (this) {
            closedByOwner = true;
        }
    }

    /** The cleanup: runs once, from {@link MemFd#close()} or, for a leaked memfd, from the cleaner's thread. */
    @Override
    public void run() {
        boolean leaked;
        FileChannel openChannel;
        synchronized (this) {
            leaked = !closedByOwner;
            cleaned = true;
            openChannel = channel;
            channel = null;
        }
        MemFdInfo lastSeen = leaked ? info() : null;
        closeQuietly(openChannel);
        handle.close();
        if (registry != null) {
            registry.unregister(this, leaked, lastSeen);
        } else if (leaked && lastSeen != null) {
            LeakListener.LOG.leaked(lastSeen, null);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing a read-only channel on an in-memory file loses nothing; the descriptor is released anyway.
            }
        }
    }

    // Accounting against the registry's limits; no-ops for an untracked memfd.

    /**
     * Charges a growth of the file (held as {@code fd}) to {@code end} bytes to the registry
     * ({@link SizeAccount#growTo}) before the change that may grow it; returns the bytes charged, to give to
     * {@link #growthFailed} if that change fails. Two calls around the change rather than one taking it as a lambda:
     * writes are hot, and a lambda passed down here is allocated per call.
     */
    long chargeGrowth(int fd, long end, String operation) {
        return account == null ? 0 : account.growTo(fd, end, operation);
    }

    /** After a failed change: gives back what the file (held as {@code fd}) did not really grow. */
    void growthFailed(int fd, long end, long grown) {
        if (grown > 0) {
            account.growthFailed(end, grown, FileStatus.size(fd, name));
        }
    }

    void shrunkTo(long size) {
        if (account != null) {
            account.shrunkTo(size);
        }
    }
}
