package io.memfd.ipc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import io.memfd.internal.Errno;
import io.memfd.internal.FdHandle;
import io.memfd.internal.UnixSockets;

/**
 * A server's socket file: created with the configured mode and never wider, taken over from a server that died,
 * never taken from a live one, and removed on shutdown only while it is still the file this server created.
 */
final class SocketFile {

    private static final System.Logger LOG = System.getLogger(SocketFile.class.getName());
    private static final int S_IFMT = 0xF000;
    private static final int S_IFSOCK = 0xC000;
    /** How long to wait for a server at the path to take the probing connection before calling it live anyway. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    private final Path path;
    /** Device and inode of the file this server created, to tell it from a file that replaced it since. */
    private final Object identity;

    private SocketFile(Path path, Object identity) {
        this.path = path;
        this.identity = identity;
    }

    /**
     * Binds {@code socket} (owned by the caller, not yet bound) to {@code path} with the permission bits {@code mode}.
     *
     * <p>The bits are set on the socket before {@code bind}, which creates the file with them less the umask: so the
     * file is never more open than asked, not even for an instant. Where the umask took bits away, they are added back
     * after {@code bind}, which widens and so opens no window either.
     *
     * @throws AddressInUseException if a live server listens at the path, or a file that is not a socket is there
     */
    static SocketFile bind(FdHandle socket, Path path, Set<PosixFilePermission> mode) {
        int fd = socket.number();
        UnixSockets.setMode(fd, path, bits(mode));
        if (!UnixSockets.bind(fd, path)) {
            removeIfStale(path);
            if (!UnixSockets.bind(fd, path)) {
                throw new AddressInUseException(path, "another server bound the path at the same moment",
                        Errno.EADDRINUSE.code());
            }
        }
        try {
            if (!Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(mode)) {
                Files.setPosixFilePermissions(path, mode);
            }
            return new SocketFile(path, identity(path));
        } catch (IOException e) {
            deleteQuietly(path);
            throw new IpcException("set the socket file's mode to " + mode, path, e.toString(), 0);
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
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove the socket file " + path, e);
        }
    }

    /**
     * Removes a socket file that no server listens on any more (a server that died leaves its file behind, and
     * {@code bind} cannot reuse the path). A live server keeps its file: a probing connection tells them apart, as
     * {@code connect} is refused only where nobody listens.
     */
    private static void removeIfStale(Path path) {
        Object identity;
        try {
            Map<String, Object> attributes = Files.readAttributes(path, "unix:mode,dev,ino", LinkOption.NOFOLLOW_LINKS);
            if (((Integer) attributes.get("mode") & S_IFMT) != S_IFSOCK) {
                throw new AddressInUseException(path, "the path exists and is not a socket file; it was left alone",
                        Errno.EADDRINUSE.code());
            }
            identity = identityOf(attributes);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new IpcException("inspect the existing socket file", path, e.toString(), 0);
        }
        try {
            Connection.connect(path, PROBE_TIMEOUT, PROBE_TIMEOUT, 1).close();
        } catch (ServerUnavailableException e) {
            if (e.errno() == Errno.ECONNREFUSED.code()) {
                replaceStale(path, identity);
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

    private static void replaceStale(Path path, Object identity) {
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

    private static Object identity(Path path) throws IOException {
        return identityOf(Files.readAttributes(path, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS));
    }

    private static Object identityOf(Map<String, Object> attributes) {
        return attributes.get("dev") + ":" + attributes.get("ino");
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
