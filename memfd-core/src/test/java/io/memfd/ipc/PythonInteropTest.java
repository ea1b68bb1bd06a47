package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.testing.TestLibc;
import io.memfd.MemFd;
import io.memfd.testing.OpenFds;
import io.memfd.testing.PythonPeer;

/**
 * The wire format with a peer nobody here wrote the socket code of: Python's standard library ({@code os.memfd_create},
 * {@code fcntl} seals, {@code socket.send_fds} and {@code recv_fds}), in a process of its own. Both directions, and in
 * both the file arrives, not a copy: the inode is the same on both sides.
 */
class PythonInteropTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path directory;

    @BeforeAll
    static void python() throws Exception {
        PythonPeer.assumeAvailable();
    }

    @Test
    void pythonSendsASealedMemfdToTheJavaServer() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        MemFdHandler handler = request -> {
            MemFd buffer = request.buffer();
            long inode = buffer.withRawFd(fd -> TestLibc.inode(fd));
            seen.set("inode=" + inode + " sha256=" + sha256(buffer.mapReadOnly()));
            return ("java saw " + new String(request.header(), UTF_8) + " '" + buffer.name() + "' "
                    + buffer.size() + " bytes").getBytes(UTF_8);
        };
        try (MemFdServer server = MemFdServer.builder(directory.resolve("java.sock")).handler(handler).start()) {
            List<String> printed = PythonPeer.run("send", server.path().toString(), "good");

            assertThat(printed).containsExactly("OK java saw python-good 'python-good' " + MIB + " bytes", seen.get());
        }
    }

    @Test
    void theJavaClientSendsASealedMemfdToPython() throws Exception {
        Path socket = directory.resolve("python.sock");
        try (PythonPeer python = PythonPeer.start("serve", socket.toString());
                MemFdClient client = MemFdClient.builder(socket).build();
                MemFd buffer = MemFd.create("from-java")) {
            assertThat(python.readLine()).isEqualTo("ready");
            byte[] content = new byte[MIB];
            for (int i = 0; i < content.length; i++) {
                content[i] = (byte) (i % 251);
            }
            buffer.write(0, content);
            buffer.makeImmutable();
            long inode = buffer.withRawFd(fd -> TestLibc.inode(fd));
            String expected = "memfd=True shrink-sealed=True size=" + MIB + " header=java header inode=" + inode
                    + " sha256=" + sha256(ByteBuffer.wrap(content));

            byte[] reply = client.send("java header".getBytes(UTF_8), buffer);

            assertThat(new String(reply, UTF_8)).isEqualTo("python saw " + expected);
            assertThat(python.finish()).containsExactly(expected);
        }
    }

    @Test
    void descriptorsSlippedIntoAReplyAreClosed() throws Exception {
        Path socket = directory.resolve("hostile-server.sock");
        Set<OpenFds.Fd> baseline = OpenFds.snapshot();
        try (PythonPeer python = PythonPeer.start("serve-with-fds", socket.toString());
                MemFdClient client = MemFdClient.builder(socket).build();
                MemFd buffer = MemFdServerTest.sealed("x")) {
            assertThat(python.readLine()).isEqualTo("ready");

            assertThat(new String(client.send("h".getBytes(UTF_8), buffer), UTF_8)).startsWith("python saw memfd=True");
            python.finish();
        }
        OpenFds.assertNoneOpenedSince(baseline);
    }

    static String sha256(ByteBuffer content) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(content);
        return HexFormat.of().formatHex(digest.digest());
    }
}
