package io.memfd.ipc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;

import io.memfd.internal.Errno;
import io.memfd.internal.FdHandle;

/**
 * A server's socket file: created with the configured mode and never wider, taken over from a server that died,
 * never taken from a live one, and removed on shutdown only while it is still the file this server created.
 *
 * <p>Whoever may write the socket's directory may replace the file at any moment, with a link to a file of their
 * choice among others. So the file is looked up once, without following a link ({@code O_PATH|O_NOFOLLOW}), and what
 * is checked and changed afterwards is what that lookup found: never a path looked up again.
 */
final class SocketFile {

    private static final System.Logger LOG = System.getLogger(SocketFile.class.getName());
    /** How long to wait for a server at the path to take the probing connection before calling it live anyway. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    private final Path path;
    /** Device and inode of the file this server created, to tell it from a file that replaced it since. */
    private final String identity;

    private SocketFile(Path path, String identity) {
        this.path = path;
        this.identity = identity;
    }

    /**
     * Binds {@code socket} (owned by the caller, not yet bound) to {@code path} with the permission bits {@code mode}.
     *
     * <p>The bits are set on the socket before {@code bind}, which creates the file with them less the umask: so the
     * file is never more open than asked, not even for an instant. Where the umask took bits away, they are added back
     * after {@code bind}, which widens and so opens no window either, and only to the file {@code bind} created.
     *
     * @throws AddressInUseException if a live server listens at the path, or a file that is not a socket is there
     * @throws IpcException if the file at the path was replaced after {@code bind}; it is left alone
     */
    static SocketFile bind(FdHandle socket, Path path, Set<PosixFilePermission> mode) {
        return bind(socket, path, mode, () -> { });
    }

    /** {@link #bind(FdHandle, Path, Set)}, running {@code afterBind} as soon as the file exists: a test's way in. */
    static SocketFile bind(FdHandle socket, Path path, Set<PosixFilePermission> mode, Runnable afterBind) {
        int fd = socket.number();
        int bits = bits(mode);
        UnixSockets.setMode(fd, path, bits);
        if (!UnixSockets.bind(fd, path)) {
            removeIfStale(path);
            if (!UnixSockets.bind(fd, path)) {
                throw new AddressInUseException(path, "another server bound the path at the same moment",
                        Errno.EADDRINUSE.code());
            }
        }
        afterBind.run();
        return new SocketFile(path, settle(path, bits));
    }

    /**
     * Gives the file {@code bind} created exactly {@code bits} and returns its identity. It must still be a socket file
     * of this user with a single name; anything else took its place since (a link to another file, another socket
     * hard-linked in), and is neither changed nor removed.
     */
    private static String settle(Path path, int bits) {
        FdHandle file = lookUp(path);
        if (file == null) {
            throw new IpcException("set the socket file's mode", path, "the socket file was removed right after"
                    + " bind", 0);
        }
        try {
            FileNode node = FileNode.of(file.number(), path);
            if (!node.socket() || node.uid() != UnixSockets.effectiveUid() || node.links() != 1) {
                throw new IpcException("set the socket file's mode", path, "the file at the path was replaced after"
                        + " bind (it is " + describe(node) + "); it was left alone", 0);
            }
            if (node.permissions() != bits) {
                try {
                    UnixSockets.setFileMode(file.number(), path, bits);
                } catch (IpcException e) {
                    deleteQuietly(path);
                    throw e;
                }
            }
            return node.identity();
        } finally {
            file.close();
        }
    }

    /** Removes the socket file, unless it is gone or another file took its place since (a newer server's). */
    void remove() {
        try {
            if (identity.equals(identity(path))) {
                Files.delete(path);
            }
        } catch (NoSuchFileException e) {
            // Removed already, by an administrator or a cleanup job: nothing to do.
        } catch (IOException | IpcException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove the socket file " + path, e);
        }
    }

    /**
     * Removes a socket file that no server listens on any more (a server that died leaves its file behind, and
     * {@code bind} cannot reuse the path). A live server keeps its file: a probing connection tells them apart, as
     * {@code connect} is refused only where nobody listens.
     */
    private static void removeIfStale(Path path) {
        FileNode node = FileNode.at(path);
        if (node == null) {
            return;
        }
        if (!node.socket()) {
            throw new AddressInUseException(path, "the path exists and is not a socket file; it was left alone",
                    Errno.EADDRINUSE.code());
        }
        try {
            Connection.connect(path, PROBE_TIMEOUT, PROBE_TIMEOUT, 1).close();
        } catch (ServerUnavailableException e) {
            if (e.errno() == Errno.ECONNREFUSED.code()) {
                replaceStale(path, node.identity());
                return;
            }
            throw new AddressInUseException(path, "a server listens there and is too busy to answer a probe",
                    e.errno());
        } catch (IpcException e) {
            throw new AddressInUseException(path, "cannot tell whether a server listens there (" + e.getMessage()
                    + "); it was left alone", e.errno());
        }
        throw new AddressInUseException(path, "a live server listens there", Errno.EADDRINUSE.code());
    }

    private static void replaceStale(Path path, String identity) {
        try {
            // Only the file probed: a server that started meanwhile has created a new one.
            if (identity.equals(identity(path))) {
                Files.delete(path);
                LOG.log(System.Logger.Level.INFO, "removed the socket file " + path
                        + " that a stopped server had left behind");
            }
        } catch (NoSuchFileException e) {
            // Another starting server removed it first.
        } catch (IOException e) {
            throw new IpcException("remove the stale socket file", path, e.toString(), 0);
        }
    }

    /** The identity of what is at the path (not following a link), or {@code null} when nothing is. */
    private static String identity(Path path) {
        FileNode node = FileNode.at(path);
        return node == null ? null : node.identity();
    }

    private static FdHandle lookUp(Path path) {
        int fd = UnixSockets.lookUp(path);
        return fd < 0 ? null : new FdHandle(fd);
    }

    private static String describe(FileNode node) {
        String type = node.socket() ? "a socket file" : "not a socket file (a symbolic link, or another file)";
        return type + " of uid " + node.uid() + " with " + node.links() + " name" + (node.links() == 1 ? "" : "s");
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove the socket file " + path, e);
        }
    }

    private static int bits(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission permission : mode) {
            // The enum runs OWNER_READ..OTHERS_EXECUTE, i.e. from bit 8 down to bit 0.
            bits |= 1 << (8 - permission.ordinal());
        }
        return bits;
    }
}
