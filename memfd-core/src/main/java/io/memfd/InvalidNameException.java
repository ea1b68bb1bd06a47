package io.memfd;

/**
 * A memfd offered for adoption has a name this library does not accept (a control character such as a newline, which
 * would reach logs, {@code /proc} listings and lookups as it is). The descriptor has been closed.
 */
public class InvalidNameException extends MemFdException {

    private static final long serialVersionUID = 1L;

    InvalidNameException(String operation, int fd, String cause) {
        super(operation, null, fd, cause, 0);
    }
}
