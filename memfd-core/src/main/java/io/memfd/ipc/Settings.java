package io.memfd.ipc;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/** Checks shared by the server's and the client's builders. */
final class Settings {

    /** The largest user id: {@code uid_t} has 32 bits, and {@code (uid_t) -1} means "no user". */
    static final long MAX_UID = 0xFFFF_FFFEL;

    private Settings() {
    }

    /** A copy of {@code uids}, once checked to be user ids, at least one. */
    static Set<Long> uids(Set<Long> uids, String name) {
        Objects.requireNonNull(uids, name);
        if (uids.isEmpty()) {
            throw new IllegalArgumentException(name + " must name at least one user id");
        }
        for (Long uid : uids) {
            if (uid == null || uid < 0 || uid > MAX_UID) {
                throw new IllegalArgumentException(name + " must be user ids from 0 to " + MAX_UID + ": " + uid);
            }
        }
        return Set.copyOf(uids);
    }

    static long positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }

    static Duration positive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }
}
