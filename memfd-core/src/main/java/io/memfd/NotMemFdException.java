package io.memfd;

/**
 * A descriptor offered to {@link MemFd#adopt} is not a memfd (a {@code /dev/shm} file, a pipe, a socket, a regular
 * file...). The descriptor has been closed.
 */
public class NotMemFdException extends MemFdException {

    private static final long serialVersionUID = 1L;

    NotMemFdException(String operation, int fd, String cause) {
        super(operation, null, fd, cause, 0);
    }
}
