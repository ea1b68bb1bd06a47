package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import io.memfd.MemFd;
import io.memfd.internal.FdHandle;
import io.memfd.testing.TestLibc;

/** The socket bindings against the real kernel, where the transport relies on a kernel behaviour. */
class UnixSocketsTest {

    private static final int SCM_RIGHTS = 1;
    private static final int SCM_CREDENTIALS = 2;

    @TempDir
    Path directory;

    private final List<FdHandle> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(FdHandle::close);
    }

    @Test
    void aModeSetBeforeBindIsTheModeTheSocketFileIsCreatedWith() throws IOException {
        Path restricted = directory.resolve("restricted.sock");
        int socket = open(restricted);
        UnixSockets.setMode(socket, restricted, 0600);
        UnixSockets.bind(socket, restricted);

        Path plain = directory.resolve("plain.sock");
        UnixSockets.bind(open(plain), plain);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(restricted))).isEqualTo("rw-------");
        // Without it, bind creates the file with 0777 less the umask: the window the transport avoids.
        assertThat(permissionBits(plain)).isEqualTo(0777 & ~umask());
    }

    @Test
    void aDescriptorIsFoundBehindACredentialsMessageAlignedTo8Bytes() throws Exception {
        int[] pair = connectedPair();
        setPassCredentials(pair[1]);
        try (MemFd memfd = MemFd.create("beside-credentials")) {
            // The precondition, seen with a plain recvmsg: the kernel puts 12 bytes of credentials first, padded to 16.
            send(pair[0], memfd);
            assertThat(rawControlMessageTypes(pair[1])).containsExactly(SCM_CREDENTIALS, SCM_RIGHTS);

            send(pair[0], memfd);
            SocketMessages.Received received = SocketMessages.receive(pair[1], directory, new SocketMessages.Buffer(16),
                false);

            assertThat(received.payload()).isEqualTo("hi".getBytes(UTF_8));
            assertThat(received.fds()).hasSize(1);
            FdHandle fd = received.fds().get(0);
            opened.add(fd);
            assertThat(TestLibc.inode(fd.number())).isEqualTo(memfd.withRawFd(n -> TestLibc.inode(n)));
            assertThat(received.controlTruncated()).isFalse();
        }
    }

    @Test
    void theEndOfTheStreamIsAnEmptyMessageWithoutDescriptors() {
        int[] pair = connectedPair();
        UnixSockets.shutdown(pair[0], directory);

        SocketMessages.Received received = SocketMessages.receive(pair[1], directory, new SocketMessages.Buffer(16),
                false);

        assertThat(received.isEndOfStream()).isTrue();
    }

    @Test
    void aWaitingReceiveEndsEmptyHandedAtTheReceiveTimeout() {
        int[] pair = connectedPair();
        UnixSockets.setReceiveTimeout(pair[1], directory, Duration.ofMillis(20));

        assertThat(SocketMessages.receive(pair[1], directory, new SocketMessages.Buffer(16), true)).isNull();
    }

    private void send(int socket, MemFd memfd) {
        Boolean sent = memfd.withRawFd(fd -> SocketMessages.send(socket, directory, new SocketMessages.Buffer(16),
                "hi".getBytes(UTF_8), fd));
        assertThat(sent).isTrue();
    }

    private int open(Path path) {
        FdHandle socket = new FdHandle(UnixSockets.open(path, false));
        opened.add(socket);
        return socket.number();
    }

    /** A connected client (index 0) and server side (index 1). */
    private int[] connectedPair() {
        Path path = directory.resolve("pair.sock");
        int listening = open(path);
        UnixSockets.bind(listening, path);
        UnixSockets.listen(listening, path, 1);
        int client = open(path);
        UnixSockets.connect(client, path);
        FdHandle server = new FdHandle(UnixSockets.accept(listening, path));
        opened.add(server);
        return new int[] {client, server.number()};
    }

    private static int permissionBits(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode") & 0777;
    }

    private static int umask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new IllegalStateException("no Umask line in /proc/self/status");
    }

    private static void setPassCredentials(int socket) {
        TestLibc.setsockopt(socket, TestLibc.SOL_SOCKET, TestLibc.SO_PASSCRED, new int[] {1}, Integer.BYTES);
    }

    /** Receives one message with a plain recvmsg and lists the types of its control messages, in order. */
    private static List<Integer> rawControlMessageTypes(int socket) {
        try (Memory message = new Memory(56); Memory iov = new Memory(16); Memory data = new Memory(16);
                Memory control = new Memory(256)) {
            message.clear();
            iov.setPointer(0, data);
            iov.setLong(8, data.size());
            message.setPointer(16, iov);
            message.setLong(24, 1);
            message.setPointer(32, control);
            message.setLong(40, control.size());
            TestLibc.recvmsg(socket, message, 0x40000000);
            List<Integer> types = new ArrayList<>();
            long length = message.getLong(40);
            for (long offset = 0; offset + 16 <= length; offset += (control.getLong(offset) + 7) & ~7L) {
                types.add(control.getInt(offset + 12));
                Pointer at = control.share(offset);
                if (at.getInt(12) == SCM_RIGHTS) {
                    new FdHandle(at.getInt(16)).close();
                }
            }
            return types;
        }
    }
}
