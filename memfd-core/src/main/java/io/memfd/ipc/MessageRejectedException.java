package io.memfd.ipc;

import java.nio.file.Path;

/** The server answered a message with a rejection: the buffer, the message or the sender did not pass its checks. */
public class MessageRejectedException extends IpcException {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    MessageRejectedException(String operation, Path socketPath, RejectReason reason, String detail) {
        super(operation, socketPath, "the server rejected it: " + reason + " (" + detail + ")", 0);
        this.reason = reason;
    }

    /** Why the server rejected the message. */
    public RejectReason reason() {
        return reason;
    }
}
