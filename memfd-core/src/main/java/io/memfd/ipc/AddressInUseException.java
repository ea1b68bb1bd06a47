package io.memfd.ipc;

import java.nio.file.Path;

/**
 * A server cannot bind its socket path because something else holds it: a live server listening there, or a file
 * that is not a socket. Neither is removed; a socket file left behind by a server that died is replaced instead.
 */
public class AddressInUseException extends IpcException {

    private static final long serialVersionUID = 1L;

    AddressInUseException(Path socketPath, String cause, int errno) {
        super("bind", socketPath, cause, errno);
    }
}
