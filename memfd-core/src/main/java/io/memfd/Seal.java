package io.memfd;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A file seal ({@code fcntl(F_ADD_SEALS)}): a promise about a memfd that the kernel enforces for every
 * descriptor and mapping of the file, in every process, until the file is gone. Seals can be added, never
 * removed.
 */
public enum Seal {

    /** No further seals may be added ({@code F_SEAL_SEAL}). */
    SEAL(0x1, "F_SEAL_SEAL", "sealed against adding further seals"),

    /** The size may not decrease ({@code F_SEAL_SHRINK}): what makes a reader's mapping SIGBUS-proof. */
    SHRINK(0x2, "F_SEAL_SHRINK", "sealed against shrinking"),

    /** The size may not increase: no growing truncate, no fallocate or write past the end ({@code F_SEAL_GROW}). */
    GROW(0x4, "F_SEAL_GROW", "sealed against growing"),

    /**
     * The content may not change: no write and no shared writable mapping ({@code F_SEAL_WRITE}). Adding it fails
     * while a shared writable mapping of the file exists.
     */
    WRITE(0x8, "F_SEAL_WRITE", "sealed against writing"),

    /**
     * No new writes and no new writable mappings, while existing writable mappings keep working
     * ({@code F_SEAL_FUTURE_WRITE}, Linux 5.1+).
     */
    FUTURE_WRITE(0x10, "F_SEAL_FUTURE_WRITE", "sealed against new writes"),

    /** The executable bits may no longer change ({@code F_SEAL_EXEC}, Linux 6.3+). */
    EXEC(0x20, "F_SEAL_EXEC", "sealed against changing its executable bits");

    /** The seals that make a memfd's content and size permanent: WRITE, SHRINK, GROW and SEAL. */
    public static final Set<Seal> IMMUTABLE = Collections.unmodifiableSet(EnumSet.of(WRITE, SHRINK, GROW, SEAL));

    /** {@code values()} copies its array on every call; seals are read for every buffer a server receives. */
    private static final Seal[] VALUES = values();

    private final int bit;
    private final String constantName;
    private final String meaning;

    Seal(int bit, String constantName, String meaning) {
        this.bit = bit;
        this.constantName = constantName;
        this.meaning = meaning;
    }

    /** The kernel's bit for this seal, as used by {@code F_ADD_SEALS}, Python's {@code fcntl} and C. */
    public int bit() {
        return bit;
    }

    /** The kernel constant's name, e.g. {@code "F_SEAL_WRITE"}. */
    public String constantName() {
        return constantName;
    }

    /** Plain words for what the seal forbids, e.g. {@code "sealed against writing (F_SEAL_WRITE)"}. */
    public String meaning() {
        return meaning + " (" + constantName + ")";
    }

    /** The seals whose bits are set in {@code bits}; bits this library does not know (future kernels) are ignored. */
    public static EnumSet<Seal> fromBits(int bits) {
        EnumSet<Seal> seals = EnumSet.noneOf(Seal.class);
        for (Seal seal : VALUES) {
            if ((bits & seal.bit) != 0) {
                seals.add(seal);
            }
        }
        return seals;
    }

    /** The kernel's bit mask for {@code seals}. */
    public static int toBits(Set<Seal> seals) {
        int bits = 0;
        for (Seal seal : seals) {
            bits |= seal.bit;
        }
        return bits;
    }
}
