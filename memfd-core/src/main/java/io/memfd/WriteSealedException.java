package io.memfd;

/** The memfd is sealed against writing ({@link Seal#WRITE} or {@link Seal#FUTURE_WRITE}). */
public class WriteSealedException extends SealedException {

    private static final long serialVersionUID = 1L;

    public WriteSealedException(String operation, String memfdName, int fd, Seal seal, int errno) {
        super(operation, memfdName, fd, seal, errno);
    }
}
