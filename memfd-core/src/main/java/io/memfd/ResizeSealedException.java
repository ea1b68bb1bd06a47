package io.memfd;

/** The memfd is sealed against the size change ({@link Seal#SHRINK} or {@link Seal#GROW}). */
public class ResizeSealedException extends SealedException {

    private static final long serialVersionUID = 1L;

    ResizeSealedException(String operation, String memfdName, int fd, Seal seal, int errno) {
        super(operation, memfdName, fd, seal, errno);
    }
}
