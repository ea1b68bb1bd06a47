package io.memfd.ipc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.memfd.internal.Errno;
import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeBuffers;
import io.memfd.internal.NativeCalls;

/**
 * Unix domain sockets of type {@code SOCK_SEQPACKET} (connection-oriented, and every message arrives whole and
 * alone): {@code socket}, {@code bind}, {@code listen}, {@code accept4}, {@code connect}, {@code shutdown}, the
 * options this library uses, and {@code fchmod}. Every descriptor is created close-on-exec, so a child process never
 * inherits a connection. Messages themselves are in {@link SocketMessages}. Addresses, paths and option values are
 * put in pooled native memory ({@link NativeBuffers}) for the call.
 */
final class UnixSockets {

    static final int MAX_PATH_BYTES = MemFdServer.MAX_PATH_BYTES;

    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_SNDTIMEO = 21;
    private static final int SHUT_RD = 0;
    private static final int SHUT_RDWR = 2;
    /** {@code sizeof(struct sockaddr_un)}: a two-byte address family, then 108 bytes of NUL-terminated path. */
    private static final int SOCKADDR_UN_BYTES = 110;
    private static final int O_PATH = 0x200000;
    private static final int O_NOFOLLOW = 0x20000;
    private static final int O_CLOEXEC = 0x80000;
    /** {@code sizeof(struct ucred)}: pid, uid, gid as 32-bit integers. */
    private static final int UCRED_BYTES = 12;
    /** {@code sizeof(struct timeval)}: seconds and microseconds as 64-bit integers. */
    private static final int TIMEVAL_BYTES = 16;
    /** Where {@code getsockopt} finds, and leaves, the value's length in the native buffer, after the value. */
    private static final int OPTION_LENGTH = 16;

    private static final NativeCalls C = NativeBackend.calls();

    private UnixSockets() {
    }

    /**
     * Throws where this process cannot call native code at all (JNA's stub cannot load), with the reason and the
     * fixes, rather than JNA's {@link LinkageError}, which after its first throw no longer carries the reason.
     */
    static void requireNativeCalls(String operation, Path path) {
        String problem = NativeBackend.problem();
        if (problem != null) {
            throw new IpcException(operation, path, problem, 0);
        }
    }

    /**
     * A new, unbound {@code SOCK_SEQPACKET} socket. A non-blocking one suits a listening socket, whose
     * {@code accept} must never wait once {@code poll} said a connection was pending (the client may have gone).
     */
    static int open(Path path, boolean nonBlocking) {
        int fd = C.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0), 0);
        if (fd < 0) {
            throw failure("create a socket", path, -fd);
        }
        return fd;
    }

    /**
     * Sets the permission bits of a socket that is not bound yet. Linux gives the socket file that {@code bind} creates
     * these bits (less the umask), so a socket file restricted this way is never reachable with wider ones, not even
     * for the moment between {@code bind} and a {@code chmod}.
     */
    static void setMode(int fd, Path path, int mode) {
        int result = C.fchmod(fd, mode);
        if (result < 0) {
            throw failure("set the socket's mode to 0" + Integer.toOctalString(mode), path, -result);
        }
    }

    /**
     * Looks {@code path} up once, without following a symbolic link at its end, and returns a descriptor that refers to
     * what is there ({@code O_PATH}): a link itself, if a link is there. Later calls through the descriptor act on that
     * file, whatever the path names by then.
     *
     * @return the descriptor, or -1 when nothing is at the path
     */
    static int lookUp(Path path) {
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        try {
            int fd = C.open(buffer.string(0, path.toString().getBytes(StandardCharsets.UTF_8)),
                    O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
            if (fd == -Errno.ENOENT.code()) {
                return -1;
            }
            if (fd < 0) {
                throw failure("look up the socket file", path, -fd);
            }
            return fd;
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /**
     * Sets the permission bits of the file that {@code fd} (from {@link #lookUp}) refers to. {@code fchmod} does not
     * work on an {@code O_PATH} descriptor; {@code /proc/self/fd/N} leads to the descriptor's own file without a
     * lookup of its path.
     */
    static void setFileMode(int fd, Path path, int mode) {
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        try {
            int result = C.chmod(buffer.string(0, ("/proc/self/fd/" + fd).getBytes(StandardCharsets.US_ASCII)), mode);
            if (result < 0) {
                throw failure("set the socket file's mode to 0" + Integer.toOctalString(mode) + " through"
                        + " /proc/self/fd (without /proc, choose a umask that keeps the mode)", path, -result);
            }
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /**
     * Binds the socket to {@code path}, creating the socket file. Returns false, binding nothing, when the path already
     * exists (a live server's socket, one left behind by a dead server, or some other file): the caller decides.
     */
    static boolean bind(int fd, Path path) {
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        try {
            int result = C.bind(fd, address(buffer, path), SOCKADDR_UN_BYTES);
            if (result == -Errno.EADDRINUSE.code()) {
                return false;
            }
            if (result < 0) {
                throw bindFailed(path, -result);
            }
            return true;
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** Starts accepting connections, up to {@code backlog} of them waiting for {@link #accept}. */
    static void listen(int fd, Path path, int backlog) {
        int result = C.listen(fd, backlog);
        if (result < 0) {
            throw failure("listen", path, -result);
        }
    }

    /**
     * Accepts a pending connection; returns its new close-on-exec descriptor, or -1 when none is pending any more
     * (the client gave up, or another thread took it).
     *
     * @throws IpcException when this process or the system is out of descriptors: the connection stays pending
     */
    static int accept(int fd, Path path) {
        int accepted = C.accept4(fd, 0, 0, SOCK_CLOEXEC);
        if (accepted >= 0) {
            return accepted;
        }
        int errno = -accepted;
        if (errno == Errno.EAGAIN.code() || errno == Errno.ECONNABORTED.code() || errno == Errno.EINTR.code()) {
            return -1;
        }
        throw failure("accept a connection", path, errno);
    }

    /**
     * Connects to the server listening at {@code path}. A server whose backlog is full makes this wait up to the
     * socket's send timeout ({@link #setSendTimeout}).
     *
     * @throws ServerUnavailableException if no server listens there or it is too busy
     */
    static void connect(int fd, Path path) {
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        try {
            long address = address(buffer, path);
            for (;;) {
                int result = C.connect(fd, address, SOCKADDR_UN_BYTES);
                if (result >= 0) {
                    return;
                }
                if (result != -Errno.EINTR.code()) {
                    throw connectFailed(path, -result);
                }
            }
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** The credentials the kernel recorded for the peer when the connection was made ({@code SO_PEERCRED}). */
    static PeerCredentials peerCredentials(int fd, Path path) {
        NativeBuffers.Pooled buffer = NativeBuffers.acquire();
        try {
            ByteBuffer ucred = buffer.buffer().putInt(OPTION_LENGTH, UCRED_BYTES);
            int result = C.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, buffer.address(), buffer.address() + OPTION_LENGTH);
            if (result < 0) {
                throw failure("read the peer's credentials", path, -result);
            }
            return new PeerCredentials(Integer.toUnsignedLong(ucred.getInt(0)), Integer.toUnsignedLong(ucred.getInt(4)),
                    Integer.toUnsignedLong(ucred.getInt(8)));
        } finally {
            NativeBuffers.release(buffer);
        }
    }

    /** How long a blocking send, and a {@code connect} to a server with a full backlog, may wait. */
    static void setSendTimeout(int fd, Path path, Duration timeout) {
        setTimeout(fd, path, SO_SNDTIMEO, timeout, "set the send timeout");
    }

    /** How long a blocking receive may wait before it fails with {@code EAGAIN}. */
    static void setReceiveTimeout(int fd, Path path, Duration timeout) {
        setTimeout(fd, path, SO_RCVTIMEO, timeout, "set the receive timeout");
    }

    private static void setTimeout(int fd, Path path, int option, Duration timeout, String operation) {
        // A zero timeval means "wait for ever": a positive timeout shorter than a microsecond becomes one.
        long micros = timeout.getNano() / 1000;
        if (timeout.getSeconds() == 0 && micros == 0) {
            micros = 1;
        }
        NativeBuffers.Pooled timeval = NativeBuffers.acquire();
        try {
            timeval.buffer().putLong(0, timeout.getSeconds()).putLong(Long.BYTES, micros);
            int result = C.setsockopt(fd, SOL_SOCKET, option, timeval.address(), TIMEVAL_BYTES);
            if (result < 0) {
                throw failure(operation, path, -result);
            }
        } finally {
            NativeBuffers.release(timeval);
        }
    }

    /**
     * Shuts the connection down in both directions: the peer sees the end of the stream, and a thread of this process
     * waiting on it, in {@code poll} or in a blocking {@code recvmsg}, wakes up. The descriptor stays open.
     */
    static void shutdown(int fd, Path path) {
        shutdown(fd, path, SHUT_RDWR, "shut down the connection");
    }

    /**
     * Shuts down the receiving side only: a thread of this process waiting for a message on the connection, in
     * {@code poll} or in a blocking {@code recvmsg}, wakes up and finds the end of the stream, as does every later
     * receive once the messages already queued are read; the peer can send no more, but this side still can.
     */
    static void shutdownReceiving(int fd, Path path) {
        shutdown(fd, path, SHUT_RD, "shut down the receiving side of the connection");
    }

    private static void shutdown(int fd, Path path, int how, String operation) {
        int result = C.shutdown(fd, how);
        if (result < 0 && result != -Errno.ENOTCONN.code()) {
            throw failure(operation, path, -result);
        }
    }

    /** This process's effective user id: what a peer's {@code SO_PEERCRED} shows of it. */
    static long effectiveUid() {
        return Integer.toUnsignedLong(C.geteuid());
    }

    /**
     * {@code path} as absolute, once checked to fit {@code struct sockaddr_un}.
     *
     * @throws IllegalArgumentException if it is longer than {@link #MAX_PATH_BYTES}
     */
    static Path checkedPath(Path path) {
        Path absolute = path.toAbsolutePath();
        pathBytes(absolute);
        return absolute;
    }

    /** Puts {@code struct sockaddr_un} for {@code path} in {@code buffer}, zeros after the path; its address. */
    private static long address(NativeBuffers.Pooled buffer, Path path) {
        buffer.buffer().putShort(0, (short) AF_UNIX).put(2, new byte[SOCKADDR_UN_BYTES - 2]);
        return buffer.string(2, pathBytes(path)) - 2;
    }

    private static byte[] pathBytes(Path path) {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("A Unix socket path may have at most " + MAX_PATH_BYTES
                    + " bytes; this one has " + bytes.length + ", choose a shorter one: " + path);
        }
        return bytes;
    }

    private static IpcException bindFailed(Path path, int errno) {
        if (errno == Errno.EACCES.code() || errno == Errno.EPERM.code()) {
            return new IpcException("bind", path, "this user may not create files in " + path.getParent(), errno);
        }
        if (errno == Errno.ENOENT.code()) {
            return new IpcException("bind", path, "the directory " + path.getParent() + " does not exist", errno);
        }
        return failure("bind", path, errno);
    }

    private static IpcException connectFailed(Path path, int errno) {
        if (errno == Errno.ENOENT.code()) {
            return new ServerUnavailableException("connect", path, "there is no socket file at this path", errno);
        }
        if (errno == Errno.ECONNREFUSED.code()) {
            return new ServerUnavailableException("connect", path, "no server listens on this socket file"
                    + " (it may have been left behind by a server that stopped)", errno);
        }
        if (errno == Errno.EAGAIN.code()) {
            return new ServerUnavailableException("connect", path, "the server's backlog of pending connections"
                    + " stayed full for the whole connect timeout", errno);
        }
        if (errno == Errno.EACCES.code() || errno == Errno.EPERM.code()) {
            return new IpcException("connect", path, "permission denied: the socket file's mode, or a directory on"
                    + " its path, forbids this user", errno);
        }
        return failure("connect", path, errno);
    }

    /** An exception for an errno that has no more specific meaning for the operation. */
    static IpcException failure(String operation, Path path, int errno) {
        if (errno == Errno.EPIPE.code() || errno == Errno.ECONNRESET.code() || errno == Errno.ENOTCONN.code()) {
            return new ConnectionClosedException(operation, path, "the peer closed the connection", errno);
        }
        return new IpcException(operation, path, Errno.meaning(errno), errno);
    }
}
