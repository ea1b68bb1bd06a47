package io.memfd.ipc;

import java.nio.file.Path;

import io.memfd.MemFdException;
import io.memfd.internal.Errno;

/**
 * A Unix socket operation of {@link MemFdServer} or {@link MemFdClient} failed. The message names the socket path,
 * the operation and the cause in plain words, followed by the kernel's errno name where the kernel reported one.
 * Subclasses say which kind of failure it was.
 */
public class IpcException extends MemFdException {

    private static final long serialVersionUID = 1L;

    private final transient Path socketPath;

    /**
     * @param operation what was attempted, e.g. {@code "connect"}
     * @param socketPath the socket file's path
     * @param cause the cause in plain words
     * @param errno the kernel's errno, or 0 when this library detected the failure itself
     */
    public IpcException(String operation, Path socketPath, String cause, int errno) {
        super(message(operation, socketPath, cause, errno), operation, null, errno);
        this.socketPath = socketPath;
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
