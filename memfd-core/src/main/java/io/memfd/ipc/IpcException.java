package io.memfd.ipc;

import java.nio.file.Path;

import io.memfd.internal.Errno;

/**
 * A Unix socket operation of {@link MemFdServer} or {@link MemFdClient} failed. The message names the socket path,
 * the operation and the cause in plain words, followed by the kernel's errno name where the kernel reported one.
 * Subclasses say which kind of failure it was.
 *
 * <p>Not a {@link io.memfd.MemFdException}: its subject is a socket, not a memfd. A buffer the handler or the
 * sender works on fails with a {@code MemFdException} of its own; catch both for "anything this library reports".
 * Only this library creates these exceptions: the constructors are not API.
 */
public class IpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final transient Path socketPath;
    private final int errno;

    /**
     * @param operation what was attempted, e.g. {@code "connect"}
     * @param socketPath the socket file's path
     * @param cause the cause in plain words
     * @param errno the kernel's errno, or 0 when this library detected the failure itself
     */
    IpcException(String operation, Path socketPath, String cause, int errno) {
        super(message(operation, socketPath, cause, errno));
        this.operation = operation;
        this.socketPath = socketPath;
        this.errno = errno;
    }

    /** What was attempted, e.g. {@code "connect"}. */
    public String operation() {
        return operation;
    }

    /** The kernel's errno, or 0 when this library detected the failure itself. */
    public int errno() {
        return errno;
    }

    /** The path of the socket the operation was on. */
    public Path socketPath() {
        return socketPath;
    }

    private static String message(String operation, Path socketPath, String cause, int errno) {
        return "Unix socket " + socketPath + ": " + operation + " failed: " + cause
                + (errno == 0 ? "" : " [" + Errno.nameOf(errno) + "]");
    }
}
