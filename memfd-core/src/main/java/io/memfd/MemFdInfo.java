package io.memfd;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A snapshot of one live memfd, as the registry and Actuator show it. It names no {@code /proc/PID/fd/N} path: a
 * snapshot is read later, when the descriptor may be closed and its number given to another file.
 *
 * @param id this JVM's unique number for the memfd (descriptor numbers are reused, ids are not)
 * @param name the memfd's name, as {@code /proc/PID/fd/N} shows it after {@code /memfd:}
 * @param fd the descriptor number when the snapshot was taken
 * @param size the size in bytes
 * @param seals the seals present
 * @param createdAt when this process created or adopted it
 * @param age how long ago that was
 * @param adopted whether it came from elsewhere ({@link MemFdFactory#adopt}): then its name is its sender's, and a
 *        look-up by name never finds it
 */
public record MemFdInfo(long id, String name, int fd, long size, Set<Seal> seals, Instant createdAt, Duration age,
        boolean adopted) {

    /**
     * Whether the memfd carries a seal other than {@link Seal#EXEC} (which {@code MFD_NOEXEC_SEAL} sets at creation):
     * whether something about it was made permanent.
     */
    public boolean isSealed() {
        return isSealed(seals);
    }

    static boolean isSealed(Set<Seal> seals) {
        return seals.stream().anyMatch(seal -> seal != Seal.EXEC);
    }
}
