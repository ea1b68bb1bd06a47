package io.memfd;

/**
 * This process ({@code EMFILE}: its {@code ulimit -n}) or the whole system ({@code ENFILE}) has no descriptor left for
 * a new one. Every memfd holds a descriptor while it is open: close buffers that are no longer needed, raise the
 * limit, or set a factory's {@link MemFdFactory.Builder#maxCount maximum count} below it.
 */
public class OutOfDescriptorsException extends MemFdException {

    private static final long serialVersionUID = 1L;

    OutOfDescriptorsException(String operation, String memfdName, int fd, String cause, int errno) {
        super(operation, memfdName, fd, cause, errno);
    }
}
