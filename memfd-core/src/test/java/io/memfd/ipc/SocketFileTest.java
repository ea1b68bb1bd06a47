package io.memfd.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.internal.FdHandle;

/**
 * The socket file's mode is set without a path lookup that could follow a link. Anyone who may write the socket's
 * directory can replace the file between {@code bind} and the mode change; here the replacement happens exactly there,
 * through {@link SocketFile}'s hook, so the race is decided every time instead of now and then.
 */
class SocketFileTest {

    /** Wider than the usual umask (022) lets {@code bind} create, so the mode must be set after {@code bind}. */
    private static final Set<PosixFilePermission> GROUP_WRITABLE = PosixFilePermissions.fromString("rw-rw----");

    @TempDir
    Path directory;

    @Test
    void aSymbolicLinkSwappedInAfterBindIsNotFollowed() throws IOException {
        Path victim = Files.writeString(directory.resolve("victim"), "secret");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path path = directory.resolve("swapped.sock");

        Throwable refused = bindSwapping(path, () -> {
            Files.delete(path);
            Files.createSymbolicLink(path, victim);
        });

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim))).isEqualTo("rw-------");
        assertThat(refused).isInstanceOf(IpcException.class).hasMessageContaining("replaced");
        assertThat(Files.isSymbolicLink(path)).as("a file that is not the server's is left alone").isTrue();
    }

    @Test
    void aHardLinkToAnotherSocketSwappedInAfterBindIsNotChanged() throws IOException {
        // Another socket of this user, as /run/docker.sock is root's: a socket, so only its link count gives it away.
        Path other = directory.resolve("other.sock");
        FdHandle otherSocket = new FdHandle(UnixSockets.open(other, false));
        try {
            UnixSockets.setMode(otherSocket.number(), other, 0600);
            UnixSockets.bind(otherSocket.number(), other);
            Path path = directory.resolve("linked.sock");

            Throwable refused = bindSwapping(path, () -> {
                Files.delete(path);
                Files.createLink(path, other);
            });

            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(other))).isEqualTo("rw-------");
            assertThat(refused).isInstanceOf(IpcException.class).hasMessageContaining("replaced");
        } finally {
            otherSocket.close();
        }
    }

    @Test
    void theModeIsSetWhereTheUmaskNarrowedIt() throws IOException {
        Path path = directory.resolve("wide.sock");
        FdHandle socket = new FdHandle(UnixSockets.open(path, true));
        try {
            SocketFile.bind(socket, path, GROUP_WRITABLE).remove();
        } finally {
            socket.close();
        }
        assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).isFalse();
        socket = new FdHandle(UnixSockets.open(path, true));
        try {
            SocketFile.bind(socket, path, GROUP_WRITABLE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
        } finally {
            socket.close();
        }
    }

    /** Binds a new socket at {@code path} with a group-writable mode, {@code swap} running right after bind. */
    private static Throwable bindSwapping(Path path, IoAction swap) {
        FdHandle socket = new FdHandle(UnixSockets.open(path, true));
        try {
            return catchThrowable(() -> SocketFile.bind(socket, path, GROUP_WRITABLE, () -> {
                try {
                    swap.run();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        } finally {
            socket.close();
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }
}
