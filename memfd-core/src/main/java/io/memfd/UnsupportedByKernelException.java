package io.memfd;

/**
 * The running kernel (or C library) lacks the feature: an old kernel, an unknown flag or seal, another OS; or this
 * process cannot call native code at all (JNA could not load its native stub), which the message says with the fix.
 */
public class UnsupportedByKernelException extends MemFdException {

    private static final long serialVersionUID = 1L;

    UnsupportedByKernelException(String operation, String memfdName, int fd, String cause, int errno) {
        super(operation, memfdName, fd, cause, errno);
    }
}
