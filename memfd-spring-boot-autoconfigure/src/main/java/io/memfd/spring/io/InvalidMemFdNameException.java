package io.memfd.spring.io;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;

/**
 * A name for a new memfd that the kernel or this library does not accept (longer than {@link MemFd#MAX_NAME_BYTES}
 * bytes with the factory's prefix, or with a control character). Names often come from a client (a path variable, a
 * part's file name), so over HTTP it is answered 400 (Bad Request) rather than as a server error.
 */
public class InvalidMemFdNameException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidMemFdNameException(IllegalArgumentException cause) {
        super(cause.getMessage(), cause);
    }

    /** Checks {@code name} as {@code factory} will, with its prefix, before anything is created or read. */
    static void check(MemFdFactory factory, String name) {
        try {
            MemFd.checkName(factory.namePrefix() + name);
        } catch (IllegalArgumentException e) {
            throw new InvalidMemFdNameException(e);
        }
    }
}
