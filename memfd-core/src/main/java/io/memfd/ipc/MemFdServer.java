package io.memfd.ipc;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.internal.FdHandle;
import io.memfd.internal.ProcFdDirectory;

/**
 * Receives memfds from other processes over a Unix domain socket, checks them, and hands them to a
 * {@link MemFdHandler}, whose reply goes back to the sender. Only the descriptor travels, so a 1 GiB buffer arrives
 * as fast as a 4 KiB one.
 *
 * <pre>{@code
 * try (MemFdServer server = MemFdServer.builder(Path.of("/run/myapp/buffers.sock"))
 *         .handler(request -> process(request.header(), request.buffer().mapReadOnly()))
 *         .start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>What a client cannot do.</b> The server trusts nothing a peer sends. Every descriptor that arrives is owned at
 * once and closed unless it is handed on; descriptors arrive close-on-exec. Before the handler sees a buffer, the
 * server checks that it is a memfd (not a {@code /dev/shm} or regular file, pipe, socket or directory), that its name
 * has no control character, that it carries the required seals (by default {@link Seal#SHRINK} and {@link Seal#GROW}:
 * then no sender can shrink it under a mapping and crash this process with {@code SIGBUS}, nor grow it past the limits
 * after it was checked) and that its size is within the limit. A message with more than one descriptor, with
 * more descriptors than the kernel could deliver ({@code MSG_CTRUNC}), with an oversized or malformed header, or
 * without a buffer is rejected and its descriptors are closed. Connections from users other than the allowed ones
 * ({@code SO_PEERCRED}; by default only this process's own user) are refused. Each rejection is answered with a
 * {@link RejectReason} and reported to the {@link MemFdServerListener}; the connection stays usable.
 *
 * <p><b>Resources.</b> At most {@code maxConnections} connections are served at once, each by its own thread; more are
 * refused with {@link RejectReason#TOO_MANY_CONNECTIONS}. A connection that sends nothing for {@code idleTimeout} is
 * closed. The socket file is created with mode {@code 0600} (configurable), never wider even for an instant; a file
 * left behind by a server that died is replaced, a live server's never; the file is removed when the server stops.
 * While any server runs, the process keeps one descriptor of {@code /proc/self/fd} open, through which each received
 * buffer's link is read faster than through the full path.
 *
 * <p><b>Stopping.</b> {@link #close()} returns promptly, although a thread inside a native call cannot be interrupted
 * from Java: the accepting thread waits in {@code poll} together with a wake-up eventfd, which stopping signals; a
 * connection's thread waits for the next message in a blocking {@code recvmsg} (one system call per message, as a C
 * server makes), and stopping shuts down the receiving side of every connection, which ends that wait at once. A
 * message that arrives as the server stops is not handled; its descriptors are closed. Only handlers still running are
 * waited for, up to {@code shutdownTimeout}.
 *
 * <p>The wire format is described in the {@linkplain io.memfd.ipc package documentation}; a peer in another language
 * needs a dozen lines. A server runs once: {@link #start()} binds and serves, {@link #close()} stops for good; build a
 * new one to serve again.
 */
public final class MemFdServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MemFdServer.class.getName());
    /** Connections the kernel queues before the accepting thread takes them. */
    private static final int BACKLOG = 128;
    /** How long the accepting thread rests when the process is out of descriptors, instead of spinning. */
    private static final long OUT_OF_DESCRIPTORS_PAUSE_MILLIS = 100;
    /** What {@link #awaitConnection()} returns when the server is stopping. */
    private static final int STOPPING = -2;

    private final Path path;
    private final MessageAdmission admission;
    private final Responder responder;
    private final int maxPayloadSize;
    private final Set<PosixFilePermission> fileMode;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final Duration shutdownTimeout;

    private final AtomicInteger activeConnections = new AtomicInteger();
    /** The connections being served, so that stopping can end their threads' waits. */
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadNumbers = new AtomicInteger();
    private final Object lifecycle = new Object();
    private State state = State.NEW;
    /** Set with {@code state = STOPPED}; read without the lock by connection threads after each message. */
    private volatile boolean stopping;
    /** Whether this server holds {@code /proc/self/fd} open, to check each received buffer faster. */
    private boolean holdsFdDirectory;
    private FdHandle listening;
    private FdHandle wakeUp;
    private SocketFile socketFile;
    private Thread acceptor;
    private ExecutorService workers;

    /**
     * The longest socket path, in bytes of UTF-8 once made absolute: what {@code struct sockaddr_un} holds without its
     * terminating NUL.
     */
    public static final int MAX_PATH_BYTES = 107;

    private enum State { NEW, RUNNING, STOPPED }

    private MemFdServer(Builder builder) {
        this.path = builder.path;
        this.admission = new MessageAdmission(builder.requiredSeals, builder.maxBufferSize, builder.maxPayloadSize,
                builder.allowedUids, builder.bufferRequired, builder.factory);
        this.responder = new Responder(admission, Objects.requireNonNull(builder.handler,
                "a handler is required: builder.handler(...)"), builder.listener, builder.maxPayloadSize, path);
        this.maxPayloadSize = builder.maxPayloadSize;
        this.fileMode = Collections.unmodifiableSet(EnumSet.copyOf(builder.fileMode));
        this.maxConnections = builder.maxConnections;
        this.idleTimeout = builder.idleTimeout;
        this.shutdownTimeout = builder.shutdownTimeout;
    }

    /**
     * The directory for a socket file whose path the application does not choose: {@code $XDG_RUNTIME_DIR} where it is
     * this user's private directory, otherwise {@code memfd-UID} in {@code java.io.tmpdir}, created with mode 0700 and
     * checked to be this user's own. Only this user may enter either, so no other user can take a server's path first
     * or stand in for it while it is down.
     *
     * @throws IpcException if the directory exists but is not this user's private directory (someone else made it)
     */
    public static Path defaultDirectory() {
        return RuntimeDirectory.forThisUser();
    }

    /**
     * Checks that {@code path} can name a server's socket, as {@link #builder} and {@link MemFdClient#builder} do: made
     * absolute, it must fit {@code struct sockaddr_un}, at most {@link #MAX_PATH_BYTES} bytes of UTF-8. Nothing is
     * created or connected to, so configuration can be checked before anything starts.
     *
     * @return the path made absolute
     * @throws IllegalArgumentException if the path is too long; the message says by how much
     */
    public static Path checkPath(Path path) {
        return UnixSockets.checkedPath(Objects.requireNonNull(path, "path"));
    }

    /**
     * A builder for a server at {@code path} (made absolute); every setting but the handler has a default.
     *
     * @throws IpcException if this process cannot call native code at all (JNA could not load its native stub)
     */
    public static Builder builder(Path path) {
        UnixSockets.requireNativeCalls("build a server", path);
        return new Builder(path);
    }

    /**
     * Creates the socket file and starts serving.
     *
     * @return this server
     * @throws AddressInUseException if a live server listens at the path, or a file that is not a socket is there
     * @throws IpcException if the socket cannot be created or bound (a missing directory, no permission...)
     * @throws IllegalStateException if the server was started before
     */
    public MemFdServer start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("The server at " + path + " was started before; a server runs once,"
                        + " build a new one to serve again");
            }
            try {
                int errno = ProcFdDirectory.hold();
                if (errno != 0) {
                    throw UnixSockets.failure("open " + ProcFdDirectory.PATH, path, errno);
                }
                holdsFdDirectory = true;
                wakeUp = new FdHandle(Poll.newWakeUp(path));
                listening = new FdHandle(UnixSockets.open(path, true));
                socketFile = SocketFile.bind(listening, path, fileMode);
                UnixSockets.listen(listening.number(), path, BACKLOG);
            } catch (RuntimeException e) {
                state = State.STOPPED;
                release();
                throw e;
            }
            workers = Executors.newCachedThreadPool(task -> daemon(task, "memfd-ipc-" + threadNumbers.incrementAndGet()
                    + " " + path.getFileName()));
            acceptor = daemon(this::acceptLoop, "memfd-ipc-accept " + path.getFileName());
            state = State.RUNNING;
            acceptor.start();
        }
        return this;
    }

    /**
     * Stops serving: wakes every thread of the server, removes the socket file, closes the listening socket, and waits
     * up to {@code shutdownTimeout} for handlers still running (their connections close when they return; threads
     * merely waiting for a message end at once). Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            State previous = state;
            state = State.STOPPED;
            stopping = true;
            if (previous != State.RUNNING) {
                return;
            }
        }
        wake();
        // Every connection registered before the state changed is in the set now; later ones were refused.
        for (Connection connection : connections) {
            connection.stopReceiving();
        }
        boolean interrupted = false;
        try {
            acceptor.join(shutdownTimeout.toMillis());
        } catch (InterruptedException e) {
            interrupted = true;
        }
        release();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "Stopped the server at " + path + " while handlers were still"
                        + " running after " + shutdownTimeout.toMillis() + " ms; they were interrupted");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            interrupted = true;
            workers.shutdownNow();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Removes the socket file and closes the listening socket and the wake-up descriptor, as far as they exist. The
     * wake-up descriptor stays usable for threads still holding it, and is closed when the last one lets go. Lets go
     * of {@code /proc/self/fd}: buffers still being checked are then checked through its full path.
     */
    private void release() {
        if (holdsFdDirectory) {
            holdsFdDirectory = false;
            ProcFdDirectory.letGo();
        }
        if (socketFile != null) {
            socketFile.remove();
        }
        if (listening != null) {
            listening.close();
        }
        if (wakeUp != null) {
            wakeUp.close();
        }
    }

    /** Whether the server was started and not stopped. */
    public boolean isRunning() {
        synchronized (lifecycle) {
            return state == State.RUNNING;
        }
    }

    /** The socket file's path. */
    public Path path() {
        return path;
    }

    /** The connections being served now. */
    public int activeConnections() {
        return activeConnections.get();
    }

    private void acceptLoop() {
        Poll.Fds fds = Poll.Fds.allocate();
        int failures = 0;
        for (;;) {
            try {
                int fd = awaitConnection(fds);
                if (fd == STOPPING) {
                    return;
                }
                if (failures > 0) {
                    logSafely(System.Logger.Level.INFO, "Accepting connections at " + path + " again, after "
                            + failures + " failed attempts", null);
                    failures = 0;
                }
                if (fd >= 0) {
                    dispatch(new FdHandle(fd));
                }
            } catch (RuntimeException e) {
                // Out of descriptors, most likely: the connection stays pending and poll would report it again at
                // once, so rest a little rather than spin, and never let the accepting thread die. Logged once per
                // run of failures: under a full descriptor table they repeat at every pause, for as long as it lasts.
                if (failures++ == 0) {
                    logSafely(System.Logger.Level.WARNING, "Accepting a connection at " + path
                            + " failed; retrying every " + OUT_OF_DESCRIPTORS_PAUSE_MILLIS + " ms, logged again once it"
                            + " works", e);
                }
                pause(fds);
            }
        }
    }

    /**
     * Logs for the accepting thread, which must outlive a logger that fails: out of descriptors, logging may fail too
     * (the JDK's formatter opens its time-zone file the first time it runs, and throws an {@code Error} when it
     * cannot).
     */
    private static void logSafely(System.Logger.Level level, String message, Throwable thrown) {
        try {
            LOG.log(level, message, thrown);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (RuntimeException | Error e) {
            // Nothing left to tell it with; the server goes on accepting.
        }
    }

    /**
     * Waits for a connection and accepts it: returns its descriptor, -1 when it went away before it was accepted, or
     * {@link #STOPPING}.
     */
    private int awaitConnection(Poll.Fds fds) {
        if (!wakeUp.acquire()) {
            return STOPPING;
        }
        try {
            if (!listening.acquire()) {
                return STOPPING;
            }
            try {
                if (Poll.await(fds, listening.number(), Poll.POLLIN, wakeUp.number(), -1, path)
                        != Poll.Outcome.READY) {
                    return STOPPING;
                }
                return UnixSockets.accept(listening.number(), path);
            } finally {
                listening.release();
            }
        } finally {
            wakeUp.release();
        }
    }

    private void pause(Poll.Fds fds) {
        if (wakeUp.acquire()) {
            try {
                Poll.await(fds, -1, (short) 0, wakeUp.number(), OUT_OF_DESCRIPTORS_PAUSE_MILLIS, path);
            } finally {
                wakeUp.release();
            }
        }
    }

    private void wake() {
        if (wakeUp.acquire()) {
            try {
                Poll.wake(wakeUp.number(), path);
            } finally {
                wakeUp.release();
            }
        }
    }

    /** Checks who connected and whether there is room, then hands the connection to a thread of its own. */
    private void dispatch(FdHandle socket) {
        PeerCredentials peer;
        try {
            peer = UnixSockets.peerCredentials(socket.number(), path);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        try {
            admission.checkPeer(peer);
        } catch (MessageAdmission.Rejection rejection) {
            responder.refuse(socket, peer, rejection.reason, rejection.detail);
            return;
        }
        if (activeConnections.incrementAndGet() > maxConnections) {
            activeConnections.decrementAndGet();
            responder.refuse(socket, peer, RejectReason.TOO_MANY_CONNECTIONS, "the server serves " + maxConnections
                    + " connections at most; try again later");
            return;
        }
        Connection connection;
        try {
            connection = Connection.accepted(socket, wakeUp, path, Wire.capacity(maxPayloadSize), idleTimeout);
        } catch (RuntimeException e) {
            activeConnections.decrementAndGet();
            throw e;
        }
        try {
            register(connection);
            workers.execute(() -> serve(connection, peer));
        } catch (RejectedExecutionException e) {
            // The server is stopping.
            forget(connection);
            connection.close();
        }
    }

    /** Adds a connection to those that stopping wakes, unless the server is stopping already. */
    private void register(Connection connection) {
        synchronized (lifecycle) {
            if (state != State.RUNNING) {
                throw new RejectedExecutionException("the server at " + path + " is stopping");
            }
            connections.add(connection);
        }
    }

    private void forget(Connection connection) {
        connections.remove(connection);
        activeConnections.decrementAndGet();
    }

    /** Serves one connection until the peer closes it, stays silent too long, or the server stops. */
    private void serve(Connection connection, PeerCredentials peer) {
        try (connection) {
            for (;;) {
                SocketMessages.Received message = connection.receive("wait for a message");
                if (message.isEndOfStream()) {
                    return;
                }
                if (stopping) {
                    message.closeFds();
                    return;
                }
                if (!connection.send(responder.answer(message, peer), -1, idleTimeout, "send a reply")) {
                    return;
                }
            }
        } catch (IpcTimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing a connection from " + peer + ": " + e.getMessage());
        } catch (ConnectionClosedException e) {
            LOG.log(System.Logger.Level.DEBUG, "The peer " + peer + " went away: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Closing a connection from " + peer + " after a failure", e);
        } finally {
            forget(connection);
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Settings for a {@link MemFdServer}. */
    public static final class Builder {

        private final Path path;
        private MemFdHandler handler;
        private Set<Seal> requiredSeals = EnumSet.of(Seal.SHRINK, Seal.GROW);
        private long maxBufferSize = 1L << 30;
        private int maxPayloadSize = 64 * 1024;
        private Set<Long> allowedUids = Set.of(UnixSockets.effectiveUid());
        private Set<PosixFilePermission> fileMode = EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
        private int maxConnections = 64;
        private Duration idleTimeout = Duration.ofMinutes(1);
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private boolean bufferRequired = true;
        private MemFdFactory factory;
        private MemFdServerListener listener = MemFdServerListener.NONE;

        private Builder(Path path) {
            this.path = checkPath(path);
        }

        /** What to do with each accepted message. Required. */
        public Builder handler(MemFdHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Seals every buffer must carry (more are fine). Default: {@link Seal#SHRINK} and {@link Seal#GROW}. SHRINK
         * makes mapping a buffer safe from a sender that would shrink it (without it, {@code mapReadOnly} refuses the
         * buffer); GROW keeps its size what the size limit and a factory's budget were checked against on arrival.
         * {@link Seal#WRITE} is the application's choice: add it to be sure the content cannot change after the
         * handler looked at it (a checksum, a parsed header); leave it out to share memory a sender goes on writing.
         */
        public Builder requiredSeals(Set<Seal> requiredSeals) {
            this.requiredSeals = EnumSet.noneOf(Seal.class);
            this.requiredSeals.addAll(requiredSeals);
            return this;
        }

        /**
         * The largest buffer accepted, in bytes, as its size is on arrival. Default: 1 GiB. With a {@link #factory},
         * the factory's own limits apply as well.
         */
        public Builder maxBufferSize(long maxBufferSize) {
            this.maxBufferSize = Settings.positive(maxBufferSize, "maxBufferSize");
            return this;
        }

        /**
         * The largest header accepted and reply sent, in bytes. Default: 64 KiB. Each connection holds a native buffer
         * of this size; the kernel's socket buffer (about 200 KiB by default) bounds it from above.
         */
        public Builder maxPayloadSize(int maxPayloadSize) {
            this.maxPayloadSize = (int) Settings.positive(maxPayloadSize, "maxPayloadSize");
            return this;
        }

        /** The users whose processes may connect. Default: only this process's effective user. */
        public Builder allowedUids(Set<Long> allowedUids) {
            this.allowedUids = Settings.uids(allowedUids, "allowedUids");
            return this;
        }

        /**
         * The socket file's permission bits; connecting needs write permission on it. Default: {@code rw-------}, this
         * user only. Widen it (e.g. {@code rw-rw----}) together with {@link #allowedUids} to serve other users.
         */
        public Builder fileMode(Set<PosixFilePermission> fileMode) {
            this.fileMode = EnumSet.noneOf(PosixFilePermission.class);
            this.fileMode.addAll(fileMode);
            return this;
        }

        /** How many connections are served at once; more are refused. Default: 64. */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = (int) Settings.positive(maxConnections, "maxConnections");
            return this;
        }

        /**
         * How long a connection may stay silent, or leave a reply unread, before the server closes it. Default: one
         * minute.
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Settings.positive(idleTimeout, "idleTimeout");
            return this;
        }

        /** How long {@link MemFdServer#close()} waits for running handlers. Default: 10 seconds. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = Settings.positive(shutdownTimeout, "shutdownTimeout");
            return this;
        }

        /**
         * Whether a message must carry a memfd. Default: true, and a message without one is rejected with
         * {@link RejectReason#NO_BUFFER}; when false, the handler also gets header-only messages.
         */
        public Builder bufferRequired(boolean bufferRequired) {
            this.bufferRequired = bufferRequired;
            return this;
        }

        /**
         * Adopt buffers through this factory, so that its registry lists them while they are open and its size limit
         * and total budget apply on arrival. Default: none, buffers are adopted with {@link MemFd#adopt(int, Set)}.
         */
        public Builder factory(MemFdFactory factory) {
            this.factory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Who hears of accepted and rejected messages. Default: {@link MemFdServerListener#NONE}. */
        public Builder listener(MemFdServerListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The server, not started yet. */
        public MemFdServer build() {
            return new MemFdServer(this);
        }

        /** Builds the server and starts it. */
        public MemFdServer start() {
            return build().start();
        }
    }
}
