package io.memfd.ipc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntFunction;

import io.memfd.internal.FdHandle;

/**
 * One connected socket, of a server or a client, with timed waits. Waiting for a message happens in a blocking
 * {@code recvmsg}, one system call per message as in C, bounded by the socket's receive timeout; another thread ends
 * such a wait at once by shutting the receiving side down ({@link #stopReceiving()}, {@link #close()}), so no thread
 * is ever stuck in a native call. Waiting for room to send happens in {@code poll} together with the server's wake-up
 * descriptor. Used by one thread at a time, except {@link #stopReceiving()} and {@link #close()}, which any thread may
 * call.
 */
final class Connection implements AutoCloseable {

    private final FdHandle socket;
    /** The server's wake-up descriptor, or {@code null} for a client, which has no one to wake it but a close. */
    private final FdHandle wakeUp;
    private final Path path;
    private final SocketMessages.Buffer buffer;
    /** The socket's receive timeout, for {@link #receive(String)}; {@code null} where it is not set. */
    private final Duration receiveTimeout;

    /** A connection that only sends, such as a server's refusal: it never waits for a message. */
    Connection(FdHandle socket, FdHandle wakeUp, Path path, int payloadCapacity) {
        this(socket, wakeUp, path, payloadCapacity, null);
    }

    private Connection(FdHandle socket, FdHandle wakeUp, Path path, int payloadCapacity, Duration receiveTimeout) {
        this.socket = socket;
        this.wakeUp = wakeUp;
        this.path = path;
        this.buffer = new SocketMessages.Buffer(payloadCapacity);
        this.receiveTimeout = receiveTimeout;
    }

    /**
     * Connects a client to the server at {@code path}, waiting at most {@code connectTimeout} for a busy one; each
     * {@link #receive(String)} waits at most {@code receiveTimeout}.
     */
    static Connection connect(Path path, Duration connectTimeout, Duration receiveTimeout, int payloadCapacity) {
        FdHandle socket = new FdHandle(UnixSockets.open(path, false));
        try {
            UnixSockets.setSendTimeout(socket.number(), path, connectTimeout);
            UnixSockets.setReceiveTimeout(socket.number(), path, receiveTimeout);
            UnixSockets.connect(socket.number(), path);
            return new Connection(socket, null, path, payloadCapacity, receiveTimeout);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A connection a server accepted; each {@link #receive(String)} waits at most {@code idleTimeout}. The socket is
     * closed if its timeout cannot be set.
     */
    static Connection accepted(FdHandle socket, FdHandle wakeUp, Path path, int payloadCapacity, Duration idleTimeout) {
        try {
            UnixSockets.setReceiveTimeout(socket.number(), path, idleTimeout);
            return new Connection(socket, wakeUp, path, payloadCapacity, idleTimeout);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Who is at the other end ({@code SO_PEERCRED}). */
    PeerCredentials peer() {
        return withSocket("read the peer's credentials", (fd) -> UnixSockets.peerCredentials(fd, path));
    }

    /**
     * Waits for one message in a blocking {@code recvmsg}, at most the receive timeout given to {@link #connect} or
     * {@link #accepted}. The result may be the end of the stream, which is also what a wait ended by
     * {@link #stopReceiving()} or {@link #close()} returns.
     *
     * @throws IpcTimeoutException if no message came in time
     */
    SocketMessages.Received receive(String operation) {
        long deadline = System.nanoTime() + receiveTimeout.toNanos();
        SocketMessages.Received message = receive(operation, true);
        // recvmsg also comes back without a message when a signal interrupts it, and calling it again would start the
        // socket's timeout afresh: frequent signals would then keep the wait from ever timing out. The rest of the
        // wait is spent in poll, up to the deadline.
        while (message == null) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new IpcTimeoutException(operation, path, receiveTimeout);
            }
            boolean running;
            try {
                running = await(Poll.POLLIN, Duration.ofNanos(remaining), operation);
            } catch (IpcTimeoutException e) {
                throw new IpcTimeoutException(operation, path, receiveTimeout);
            }
            if (!running) {
                throw new ConnectionClosedException(operation, path, "the server is stopping", 0);
            }
            message = receive(operation, false);
        }
        return message;
    }

    /** Receives a message that is waiting already, or returns {@code null}. */
    SocketMessages.Received receiveNow(String operation) {
        return receive(operation, false);
    }

    // receive and send bracket the socket by hand rather than through withSocket: on the per-message path a lambda
    // would be allocated for each call, since C2 compiles withSocket (shared by several lambdas) on its own.
    private SocketMessages.Received receive(String operation, boolean wait) {
        acquireSocket(operation);
        try {
            return SocketMessages.receive(socket.number(), path, buffer, wait);
        } finally {
            socket.release();
        }
    }

    /**
     * Sends {@code payload} with {@code fd} attached (-1: none), waiting up to {@code timeout} while the peer's queue
     * is full. Returns false, sending nothing, when the server is stopping.
     *
     * @throws IpcTimeoutException if the peer took nothing in time
     */
    boolean send(byte[] payload, int fd, Duration timeout, String operation) {
        for (;;) {
            acquireSocket(operation);
            boolean sent;
            try {
                sent = SocketMessages.send(socket.number(), path, buffer, payload, fd);
            } finally {
                socket.release();
            }
            if (sent) {
                return true;
            }
            if (!await(Poll.POLLOUT, timeout, operation)) {
                return false;
            }
        }
    }

    /**
     * Ends every wait for a message, the one in progress and all later ones, with the end of the stream, while replies
     * can still be sent ({@code shutdown(SHUT_RD)}): how a stopping server frees its connections' threads.
     */
    void stopReceiving() {
        if (socket.acquire()) {
            try {
                UnixSockets.shutdownReceiving(socket.number(), path);
            } catch (IpcException e) {
                // The connection is broken already: nothing waits on it for long.
            } finally {
                socket.release();
            }
        }
    }

    /**
     * Ends the connection: shuts it down first, so that the peer sees the end at once and a thread of this process
     * waiting on it wakes up, then closes the descriptor once no call is using it.
     */
    @Override
    public void close() {
        if (socket.acquire()) {
            try {
                UnixSockets.shutdown(socket.number(), path);
            } catch (IpcException e) {
                // Closing anyway: shutting down is only a courtesy to the peer and to waiting threads.
            } finally {
                socket.release();
            }
        }
        socket.close();
    }

    /** Returns false when woken for a stop; throws when {@code timeout} passed. */
    private boolean await(short events, Duration timeout, String operation) {
        if (wakeUp != null && !wakeUp.acquire()) {
            return false;
        }
        try {
            Poll.Outcome outcome = withSocket(operation, (fd) -> Poll.await(buffer.pollFds(), fd, events,
                    wakeUp == null ? -1 : wakeUp.number(), timeout.toMillis(), path));
            if (outcome == Poll.Outcome.TIMED_OUT) {
                throw new IpcTimeoutException(operation, path, timeout);
            }
            return outcome == Poll.Outcome.READY;
        } finally {
            if (wakeUp != null) {
                wakeUp.release();
            }
        }
    }

    /**
     * Runs {@code action} with the socket's descriptor, which a concurrent {@link #close()} cannot close meanwhile.
     *
     * @throws ConnectionClosedException if this side closed the connection
     */
    private <T> T withSocket(String operation, IntFunction<T> action) {
        acquireSocket(operation);
        try {
            return action.apply(socket.number());
        } finally {
            socket.release();
        }
    }

    /**
     * Registers a use of the socket's descriptor, to be ended with {@code socket.release()}.
     *
     * @throws ConnectionClosedException if this side closed the connection
     */
    private void acquireSocket(String operation) {
        if (!socket.acquire()) {
            throw new ConnectionClosedException(operation, path, "this side closed the connection", 0);
        }
    }
}
