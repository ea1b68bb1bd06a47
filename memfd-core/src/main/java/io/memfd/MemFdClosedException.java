package io.memfd;

/** The memfd was used after {@link MemFd#close()}. */
public class MemFdClosedException extends MemFdException {

    private static final long serialVersionUID = 1L;

    MemFdClosedException(String operation, String memfdName) {
        super(operation, memfdName, -1, "the memfd is closed", 0);
    }
}
