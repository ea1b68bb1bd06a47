package io.memfd.ipc;

import java.nio.file.Path;

/** The peer closed the connection (or its process ended) before the exchange was complete. */
public class ConnectionClosedException extends IpcException {

    private static final long serialVersionUID = 1L;

    ConnectionClosedException(String operation, Path socketPath, String cause, int errno) {
        super(operation, socketPath, cause, errno);
    }
}
