package io.memfd;

/**
 * A seal forbids the operation. Seals are permanent: the memfd will never allow it again; create a new memfd.
 * {@link WriteSealedException} and {@link ResizeSealedException} name the two common cases.
 */
public class SealedException extends MemFdException {

    private static final long serialVersionUID = 1L;

    private final Seal seal;

    SealedException(String operation, String memfdName, int fd, Seal seal, int errno) {
        this(operation, memfdName, fd, seal, "the memfd is " + seal.meaning(), errno);
    }

    SealedException(String operation, String memfdName, int fd, Seal seal, String cause, int errno) {
        super(operation, memfdName, fd, cause, errno);
        this.seal = seal;
    }

    /** The seal that forbids the operation. */
    public Seal seal() {
        return seal;
    }
}
