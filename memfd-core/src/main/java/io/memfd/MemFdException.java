package io.memfd;

import io.memfd.internal.Errno;

/**
 * A memfd operation failed. The message names the memfd, the operation and the cause in plain words, followed by
 * the kernel's errno name where the kernel reported one. Subclasses say which kind of failure it was, so catch the
 * one whose meaning you can act on: {@link SealedException} (a seal forbids it: {@link WriteSealedException},
 * {@link ResizeSealedException}), {@link MissingSealsException}, {@link BudgetExceededException} and
 * {@link SizeLimitExceededException} (a factory's limits), {@link MemFdClosedException}, {@link NotMemFdException},
 * {@link NotPermittedException} (a policy), {@link UnsupportedByKernelException}, {@link OutOfDescriptorsException}.
 * IPC failures are {@link io.memfd.ipc.IpcException}s, whose subject is a socket.
 *
 * <p>This library creates these exceptions; their constructors are not API (the few still public, on
 * {@link WriteSealedException}, {@link MissingSealsException} and {@link SizeLimitExceededException}, serve the
 * Spring module and the sample application until those stop building them).
 */
public class MemFdException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String memfdName;
    private final int errno;

    /**
     * @param operation what was attempted, e.g. {@code "resize to 4096 bytes"}
     * @param memfdName the memfd's name, or {@code null} when the descriptor is not known to be a memfd
     * @param fd the descriptor number, or -1 when there is none (not created yet, or closed)
     * @param cause the cause in plain words
     * @param errno the kernel's errno, or 0 when the failure was detected by this library
     */
    MemFdException(String operation, String memfdName, int fd, String cause, int errno) {
        this(message(operation, memfdName, fd, cause, errno), operation, memfdName, errno);
    }

    private MemFdException(String message, String operation, String memfdName, int errno) {
        super(message);
        this.operation = operation;
        this.memfdName = memfdName;
        this.errno = errno;
    }

    /** What was attempted, e.g. {@code "write 4096 bytes at 0"}. */
    public String operation() {
        return operation;
    }

    /** The name of the memfd the operation was on, or {@code null} when the descriptor was not a memfd. */
    public String memfdName() {
        return memfdName;
    }

    /** The kernel's errno, or 0 when this library detected the failure itself. */
    public int errno() {
        return errno;
    }

    /**
     * An exception for an errno that has no more specific meaning for the operation; running out of descriptors, which
     * any call that makes one can meet, is typed.
     */
    static MemFdException failure(String operation, String name, int fd, int errno) {
        if (errno == Errno.EMFILE.code() || errno == Errno.ENFILE.code()) {
            return new OutOfDescriptorsException(operation, name, fd, Errno.meaning(errno), errno);
        }
        return new MemFdException(operation, name, fd, Errno.meaning(errno), errno);
    }

    private static String message(String operation, String memfdName, int fd, String cause, int errno) {
        StringBuilder message = new StringBuilder();
        message.append(memfdName == null ? "descriptor" : "memfd '" + memfdName + "'");
        if (fd >= 0) {
            message.append(" (fd ").append(fd).append(')');
        }
        message.append(": ").append(operation).append(" failed: ").append(cause);
        if (errno != 0) {
            message.append(" [").append(Errno.nameOf(errno)).append(']');
        }
        return message.toString();
    }
}
