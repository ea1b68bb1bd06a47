package io.memfd.ipc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

import io.memfd.MemFd;

/**
 * Sends memfds, each with a header, to a {@link MemFdServer} (or any peer speaking its wire format) and returns the
 * replies. Only the descriptor travels: sending a 1 GiB memfd costs what sending a 4 KiB one does.
 *
 * <pre>{@code
 * try (MemFdClient client = MemFdClient.builder(Path.of("/run/myapp/buffers.sock")).build();
 *      MemFd report = factory.createSealed("report", bytes)) {   // the server requires SHRINK and GROW by default
 *     byte[] reply = client.send("report v1".getBytes(UTF_8), report);
 * }
 * }</pre>
 *
 * <p><b>Whom it talks to.</b> On connecting, before anything is sent, the client checks the user the server's process
 * runs as ({@code SO_PEERCRED}): by default only its own user, as a server by default accepts only its own. Whoever
 * binds a socket path first owns it, so in a directory other users can write to ({@code /tmp}) another user's process
 * could stand in for the server; it gets a {@link ServerUnavailableException}, never a descriptor. Allow other users,
 * such as root for a system daemon, with {@link Builder#allowedServerUids}.
 *
 * <p><b>Connection.</b> The client connects on first use and keeps the connection. When a send finds that the server
 * closed an idle connection, the client reconnects and sends again, once: the server never saw that message. After any
 * other failure the connection is dropped and the next call reconnects; a message whose reply did not come is never
 * sent again, since the server may have acted on it.
 *
 * <p><b>Threads.</b> Thread-safe; calls are served one at a time, in order. {@link #close()} may be called from any
 * thread and ends a call waiting for its reply at once.
 *
 * <p>The sender keeps its own descriptor: closing the memfd after {@code send} returns is the sender's business and
 * does not affect the server's copy of the descriptor.
 */
public final class MemFdClient implements AutoCloseable {

    private final Path path;
    private final Duration connectTimeout;
    private final Duration replyTimeout;
    private final int maxPayloadSize;
    private final Set<Long> allowedServerUids;

    /** Written under the lock; read without it by {@link #close()}, which must not wait for a call in progress. */
    private volatile Connection connection;
    private volatile boolean closed;

    private MemFdClient(Builder builder) {
        this.path = builder.path;
        this.connectTimeout = builder.connectTimeout;
        this.replyTimeout = builder.replyTimeout;
        this.maxPayloadSize = builder.maxPayloadSize;
        this.allowedServerUids = builder.allowedServerUids;
    }

    /**
     * A builder for a client of the server at {@code path}; every setting has a default.
     *
     * @throws IpcException if this process cannot call native code at all (JNA could not load its native stub)
     */
    public static Builder builder(Path path) {
        UnixSockets.requireNativeCalls("build a client", path);
        return new Builder(path);
    }

    /**
     * Sends {@code header} with {@code buffer} attached and returns the server's reply.
     *
     * @throws MessageRejectedException if the server rejected the message; {@link MessageRejectedException#reason()}
     *         says why
     * @throws ServerUnavailableException if no server could be reached
     * @throws ConnectionClosedException if the server closed the connection before answering
     * @throws IpcTimeoutException if no reply came within the reply timeout
     * @throws IllegalArgumentException if the header exceeds the payload limit
     */
    public byte[] send(byte[] header, MemFd buffer) {
        Objects.requireNonNull(buffer, "buffer");
        return exchange(header, buffer, "send memfd '" + buffer.name() + "'");
    }

    /** Sends {@code header} alone; the server accepts this only when built not to require a buffer. */
    public byte[] send(byte[] header) {
        return exchange(header, null, "send a message");
    }

    /**
     * The credentials of the server's process ({@code SO_PEERCRED}), connecting first if needed. Its user is one of
     * {@link Builder#allowedServerUids}: connecting checks that.
     */
    public synchronized PeerCredentials serverCredentials() {
        return connected().peer();
    }

    /** The socket file's path. */
    public Path path() {
        return path;
    }

    /** Closes the connection; a call waiting for its reply fails at once. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Connection current = connection;
        if (current != null) {
            current.close();
        }
    }

    private synchronized byte[] exchange(byte[] header, MemFd buffer, String operation) {
        Objects.requireNonNull(header, "header");
        if (header.length > maxPayloadSize) {
            throw new IllegalArgumentException("A header of " + header.length + " bytes exceeds the payload limit of "
                    + maxPayloadSize + " bytes");
        }
        byte[] request = Wire.request(header);
        boolean mayResend = connection != null;
        for (;;) {
            Connection current = connected();
            try {
                sendRequest(current, request, buffer, operation);
            } catch (ConnectionClosedException e) {
                RuntimeException rejection = pendingRejection(current, operation);
                drop(current);
                if (rejection != null) {
                    throw rejection;
                }
                if (mayResend && !closed) {
                    mayResend = false;
                    continue;
                }
                throw e;
            } catch (RuntimeException e) {
                drop(current);
                throw e;
            }
            return awaitReply(current, operation);
        }
    }

    private void sendRequest(Connection current, byte[] request, MemFd buffer, String operation) {
        if (buffer == null) {
            current.send(request, -1, replyTimeout, operation);
        } else {
            buffer.withRawFd(fd -> current.send(request, fd, replyTimeout, operation));
        }
    }

    private byte[] awaitReply(Connection current, String operation) {
        try {
            SocketMessages.Received reply = current.receive(operation);
            return body(reply, operation);
        } catch (MessageRejectedException e) {
            if (e.reason() == RejectReason.PEER_NOT_ALLOWED || e.reason() == RejectReason.TOO_MANY_CONNECTIONS) {
                drop(current);
            }
            throw e;
        } catch (RuntimeException e) {
            // A reply that comes late must not pass for the answer to the next message: start afresh.
            drop(current);
            throw e;
        }
    }

    /**
     * A server that refuses a connection says why and closes it at once, so the send that follows fails; the reason is
     * waiting to be read, and is the better error. Returns it, or {@code null}.
     */
    private RuntimeException pendingRejection(Connection current, String operation) {
        try {
            SocketMessages.Received pending = current.receiveNow(operation);
            if (pending != null && !pending.isEndOfStream()) {
                body(pending, operation);
            }
        } catch (MessageRejectedException e) {
            return e;
        } catch (IpcException e) {
            // Nothing readable: the plain failure of the send stands.
        }
        return null;
    }

    /** The application's reply in a message; a server never sends descriptors, so any that came are closed. */
    private byte[] body(SocketMessages.Received reply, String operation) {
        reply.closeFds();
        if (reply.isEndOfStream()) {
            throw new ConnectionClosedException(operation, path, closed ? "this client was closed meanwhile"
                    : "the server closed the connection without answering", 0);
        }
        byte[] body = Wire.replyBody(reply.payload(), path, operation);
        if (reply.payloadTruncated() || body.length > maxPayloadSize) {
            throw new IpcException(operation, path, "the reply exceeds the payload limit of " + maxPayloadSize
                    + " bytes", 0);
        }
        return body;
    }

    private Connection connected() {
        if (closed) {
            throw new IllegalStateException("The client of " + path + " is closed");
        }
        Connection current = connection;
        if (current == null) {
            current = Connection.connect(path, connectTimeout, replyTimeout, Wire.capacity(maxPayloadSize));
            try {
                requireAllowedServer(current);
            } catch (RuntimeException e) {
                current.close();
                throw e;
            }
            connection = current;
            if (closed) {
                // close() ran meanwhile and may have missed this connection: it sets closed before it reads connection.
                drop(current);
                throw new IllegalStateException("The client of " + path + " is closed");
            }
        }
        return current;
    }

    private void requireAllowedServer(Connection current) {
        PeerCredentials server = current.peer();
        if (!allowedServerUids.contains(server.uid())) {
            throw new ServerUnavailableException("connect", path, "the process listening there runs as uid "
                    + server.uid() + " (pid " + server.pid() + "), not as a user this client allows "
                    + allowedServerUids + "; nothing was sent", 0);
        }
    }

    private void drop(Connection current) {
        current.close();
        if (connection == current) {
            connection = null;
        }
    }

    /** Settings for a {@link MemFdClient}. */
    public static final class Builder {

        private final Path path;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration replyTimeout = Duration.ofSeconds(30);
        private int maxPayloadSize = 64 * 1024;
        private Set<Long> allowedServerUids = Set.of(UnixSockets.effectiveUid());

        private Builder(Path path) {
            this.path = MemFdServer.checkPath(path);
        }

        /** How long to wait for a server whose backlog of pending connections is full. Default: 5 seconds. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Settings.positive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How long to wait for the server to take a message and answer it; this includes the handler's time. Default:
         * 30 seconds.
         */
        public Builder replyTimeout(Duration replyTimeout) {
            this.replyTimeout = Settings.positive(replyTimeout, "replyTimeout");
            return this;
        }

        /** The largest header sent and reply accepted, in bytes. Default: 64 KiB, as on the server. */
        public Builder maxPayloadSize(int maxPayloadSize) {
            this.maxPayloadSize = (int) Settings.positive(maxPayloadSize, "maxPayloadSize");
            return this;
        }

        /**
         * The users the server's process may run as, checked on connecting ({@code SO_PEERCRED}) before anything is
         * sent. Default: this process's own user only. Add 0 for a server that runs as root.
         */
        public Builder allowedServerUids(Set<Long> allowedServerUids) {
            this.allowedServerUids = Settings.uids(allowedServerUids, "allowedServerUids");
            return this;
        }

        /** The client; it connects on first use. */
        public MemFdClient build() {
            return new MemFdClient(this);
        }
    }
}
