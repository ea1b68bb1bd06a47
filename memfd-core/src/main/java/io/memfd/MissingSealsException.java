package io.memfd;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A memfd lacks seals that were required of it. Where it was offered for adoption, it has been closed. Mapping a memfd
 * that other descriptors may shrink throws it too, naming {@link Seal#SHRINK}.
 */
public class MissingSealsException extends MemFdException {

    private static final long serialVersionUID = 1L;

    private final Set<Seal> required;
    private final Set<Seal> present;

    public MissingSealsException(String operation, String memfdName, int fd, Set<Seal> required, Set<Seal> present) {
        this(operation, memfdName, fd, required, present, null);
    }

    /** @param why why the seals are needed here, or {@code null} */
    public MissingSealsException(String operation, String memfdName, int fd, Set<Seal> required, Set<Seal> present,
            String why) {
        super(operation, memfdName, fd, "it must carry the seals " + copy(required) + " but carries "
                + copy(present) + ", missing " + missing(required, present) + (why == null ? "" : ": " + why), 0);
        this.required = Collections.unmodifiableSet(copy(required));
        this.present = Collections.unmodifiableSet(copy(present));
    }

    /** The seals that were required. */
    public Set<Seal> required() {
        return required;
    }

    /** The seals the memfd carried. */
    public Set<Seal> present() {
        return present;
    }

    private static Set<Seal> missing(Set<Seal> required, Set<Seal> present) {
        EnumSet<Seal> missing = copy(required);
        missing.removeAll(present);
        return missing;
    }

    private static EnumSet<Seal> copy(Set<Seal> seals) {
        EnumSet<Seal> copy = EnumSet.noneOf(Seal.class);
        copy.addAll(seals);
        return copy;
    }
}
