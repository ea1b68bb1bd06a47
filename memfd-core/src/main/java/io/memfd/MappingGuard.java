package io.memfd;

import java.nio.MappedByteBuffer;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keeps the mappings of one memfd safe from {@code SIGBUS}. Reading a mapped page that the file no longer has (it was
 * shrunk meanwhile) raises {@code SIGBUS}, which kills the JVM; so a memfd is mapped only when nobody can shrink it:
 * <ul>
 * <li>it is sealed against shrinking ({@link Seal#SHRINK}): then nobody can, ever; or
 * <li>this process created it, close-on-exec, and has not handed it out since ({@link MemFd#dup()}, its
 * {@code /proc} path, its raw descriptor number): then only this object can, and it refuses to shrink the file below
 * a mapping that is still reachable, and to hand the file out while such a mapping is reachable and SHRINK is not
 * sealed.
 * </ul>
 * A mapping counts as reachable until the garbage collector finds it unreachable, which is when the JVM unmaps it.
 * Mappings of a SHRINK-sealed memfd need no tracking.
 *
 * <p>A hugetlb memfd needs {@link Seal#WRITE} (or {@link Seal#FUTURE_WRITE}) besides: without it anyone with a
 * descriptor can punch a hole ({@code fallocate}), which frees the huge pages and their reservation, and reading the
 * hole through a mapping then needs a free huge page from the system's pool, or raises {@code SIGBUS}. Ordinary
 * memfds fill a hole with a fresh page, as any memory.
 */
final class MappingGuard {

    private static final Set<Seal> SHRINK = EnumSet.of(Seal.SHRINK);

    private static final Set<Seal> SHRINK_WRITE = EnumSet.of(Seal.SHRINK, Seal.WRITE);

    /** How this process came to hold the file: only one it created close-on-exec starts private. */
    private final MemFdState.Origin origin;
    /** Set once a descriptor, its number or its path was handed out: from then on, only SHRINK makes mapping safe. */
    private volatile boolean exported;
    /** Set once the file is seen sealed so that no mapping of it can fault; seals are never removed. */
    private volatile boolean mappingSafe;
    /** Reachable mappings made while the file was private and not SHRINK-sealed. */
    private int privateMappings;

    MappingGuard(MemFdState.Origin origin) {
        this.origin = origin;
        this.exported = origin != MemFdState.Origin.CREATED;
    }

    /**
     * Maps through {@code mapper} if that is safe, otherwise throws.
     *
     * @throws MissingSealsException if the file is not sealed against shrinking and other descriptors of it may exist
     */
    MappedByteBuffer map(int fd, String name, String operation, Supplier<MappedByteBuffer> mapper) {
        if (isMappingSafe(fd, name)) {
            return mapper.get();
        }
        synchronized (this) {
            if (exported) {
                boolean hugetlb = FileStatus.isHugetlb(fd, name);
                throw new MissingSealsException(operation, name, fd, hugetlb ? SHRINK_WRITE : SHRINK,
                        Fcntl.seals(fd, name), whyShared() + (hugetlb
                        ? ", so another descriptor may shrink it under the mapping, or punch a hole in it (this hugetlb"
                                + " memfd then needs a free huge page for each page read there), and reading the lost"
                                + " pages would crash this JVM (SIGBUS); seal SHRINK and WRITE (or FUTURE_WRITE) first"
                        : ", so another descriptor may shrink it under the mapping, and reading the lost pages would"
                                + " crash this JVM (SIGBUS); seal SHRINK first")
                        + ", or map with mapReadOnlyUnsafe or mapReadWriteUnsafe to accept that risk");
            }
            MappedByteBuffer mapping = mapper.get();
            privateMappings++;
            MemFd.CLEANER.register(mapping, this::released);
            return mapping;
        }
    }

    /**
     * Records that a descriptor, the descriptor's number or its path is being handed out.
     *
     * @throws MissingSealsException if a mapping made while the file was private is still reachable and SHRINK is not
     *         sealed: whoever receives the file could then shrink it under that mapping
     */
    void export(int fd, String name, String operation) {
        if (exported) {
            return;
        }
        synchronized (this) {
            if (privateMappings > 0 && !isMappingSafe(fd, name)) {
                boolean hugetlb = FileStatus.isHugetlb(fd, name);
                throw new MissingSealsException(operation, name, fd, hugetlb ? SHRINK_WRITE : SHRINK,
                        Fcntl.seals(fd, name), "a mapping made while no other descriptor of the file existed is"
                                + " still reachable, and whoever gets the file could shrink it under that mapping"
                                + (hugetlb ? " or punch a hole in it" : "") + " and crash this JVM (SIGBUS); seal "
                                + (hugetlb ? "SHRINK and WRITE" : "SHRINK") + " before handing the file out");
            }
            exported = true;
        }
    }

    /**
     * Runs {@code truncate}, which sets the size to {@code size}, unless that would shrink the file under a reachable
     * mapping.
     *
     * @throws MappingBusyException if it would
     */
    synchronized void resize(int fd, String name, long size, Runnable truncate) {
        if (privateMappings > 0 && size < FileStatus.size(fd, name)) {
            throw new MappingBusyException("resize to " + size + " bytes", name, fd, "a mapping of the memfd is still"
                    + " reachable, and reading the pages a shrink removes would crash this JVM (SIGBUS); the JVM"
                    + " unmaps a MappedByteBuffer only when it is garbage-collected");
        }
        truncate.run();
    }

    private String whyShared() {
        switch (origin) {
            case CREATED:
                return "it was handed out (dup, /proc path or raw descriptor)";
            case CREATED_INHERITABLE:
                return "it was created without close-on-exec, so programs this process runs hold it too";
            case ADOPTED:
                return "it came from elsewhere, whose descriptors may still be open";
            default:
                return "it is a duplicate of another descriptor";
        }
    }

    /** SHRINK sealed, and on hugetlbfs WRITE or FUTURE_WRITE too; once true, true for good. */
    private boolean isMappingSafe(int fd, String name) {
        if (!mappingSafe) {
            Set<Seal> seals = Fcntl.seals(fd, name);
            mappingSafe = seals.contains(Seal.SHRINK) && (seals.contains(Seal.WRITE)
                    || seals.contains(Seal.FUTURE_WRITE) || !FileStatus.isHugetlb(fd, name));
        }
        return mappingSafe;
    }

    private synchronized void released() {
        privateMappings--;
    }
}
