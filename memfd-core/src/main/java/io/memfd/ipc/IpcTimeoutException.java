package io.memfd.ipc;

import java.nio.file.Path;
import java.time.Duration;

/** The peer did not answer, or did not take a message, within the configured time. */
public class IpcTimeoutException extends IpcException {

    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    IpcTimeoutException(String operation, Path socketPath, Duration timeout) {
        super(operation, socketPath, "no progress within " + timeout.toMillis() + " ms", 0);
        this.timeout = timeout;
    }

    /** The time that passed. */
    public Duration timeout() {
        return timeout;
    }
}
