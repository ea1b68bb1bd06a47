package io.memfd.ipc;

import java.nio.file.Path;
import java.time.Duration;

import io.memfd.internal.FdHandle;

/**
 * A server's reply to each message (the admission checks, then the handler, then the listener) and to a connection
 * it refuses. Failures of the handler or the listener are logged here and never reach the connection's loop; every
 * rejection is reported to the listener.
 */
final class Responder {

    private static final System.Logger LOG = System.getLogger(MemFdServer.class.getName());

    private final MessageAdmission admission;
    private final MemFdHandler handler;
    private final MemFdServerListener listener;
    private final int maxPayloadSize;
    private final Path path;

    Responder(MessageAdmission admission, MemFdHandler handler, MemFdServerListener listener, int maxPayloadSize,
            Path path) {
        this.admission = admission;
        this.handler = handler;
        this.listener = listener;
        this.maxPayloadSize = maxPayloadSize;
        this.path = path;
    }

    /** Tells a refused peer why, if its queue has room (never waiting), and closes the connection. */
    void refuse(FdHandle socket, PeerCredentials peer, RejectReason reason, String detail) {
        report(peer, reason, detail);
        try (Connection connection = new Connection(socket, null, path, Wire.capacity(0))) {
            connection.send(Wire.rejection(reason, detail), -1, Duration.ZERO, "refuse a connection");
        } catch (IpcException e) {
            // The peer is gone or not reading: it was refused either way.
        }
    }

    /** The reply to one message: the handler's, or a rejection. Every descriptor the message brought is dealt with. */
    byte[] answer(SocketMessages.Received message, PeerCredentials peer) {
        MemFdRequest request;
        try {
            request = admission.admit(message, peer);
        } catch (MessageAdmission.Rejection rejection) {
            report(peer, rejection.reason, rejection.detail);
            return Wire.rejection(rejection.reason, rejection.detail);
        }
        byte[] reply;
        try {
            reply = handler.handle(request);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "The handler failed on a message from " + peer, e);
            return handlerFailed(peer, "the server's handler failed; its log says why");
        } finally {
            request.release();
        }
        reply = reply == null ? new byte[0] : reply;
        if (!admission.fitsPayload(reply.length)) {
            LOG.log(System.Logger.Level.WARNING, "The handler's reply of " + reply.length + " bytes exceeds the"
                    + " payload limit of " + maxPayloadSize + " bytes");
            return handlerFailed(peer, "the handler's reply exceeded the server's payload limit");
        }
        try {
            listener.accepted(peer, request.bufferSize());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The server listener failed", e);
        }
        return Wire.ok(reply);
    }

    private byte[] handlerFailed(PeerCredentials peer, String detail) {
        report(peer, RejectReason.HANDLER_FAILED, detail);
        return Wire.rejection(RejectReason.HANDLER_FAILED, detail);
    }

    void report(PeerCredentials peer, RejectReason reason, String detail) {
        LOG.log(System.Logger.Level.DEBUG, "Rejected a message from " + peer + ": " + reason + " (" + detail + ")");
        try {
            listener.rejected(peer, reason, detail);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The server listener failed", e);
        }
    }
}
