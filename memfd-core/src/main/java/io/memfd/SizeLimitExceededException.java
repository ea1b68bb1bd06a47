package io.memfd;

/** The memfd would grow beyond the per-buffer limit of its {@link MemFdFactory}. */
public class SizeLimitExceededException extends MemFdException {

    private static final long serialVersionUID = 1L;

    private final long limit;
    private final long requested;

    public SizeLimitExceededException(String operation, String memfdName, int fd, long limit, long requested) {
        super(operation, memfdName, fd,
                "the size of " + requested + " bytes would exceed the per-buffer limit of " + limit + " bytes", 0);
        this.limit = limit;
        this.requested = requested;
    }

    /** The per-buffer limit in bytes. */
    public long limit() {
        return limit;
    }

    /** The size the memfd would have had, in bytes. */
    public long requested() {
        return requested;
    }
}
