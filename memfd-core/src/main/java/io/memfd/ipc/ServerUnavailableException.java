package io.memfd.ipc;

import java.nio.file.Path;

/**
 * No server could be reached at the socket path: no socket file there, nothing listening on it (a server that died
 * and left its file behind), or a server too busy to take the connection in time. Trying again later may succeed.
 */
public class ServerUnavailableException extends IpcException {

    private static final long serialVersionUID = 1L;

    ServerUnavailableException(String operation, Path socketPath, String cause, int errno) {
        super(operation, socketPath, cause, errno);
    }
}
