package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.memfd.MemFd;
import io.memfd.testing.OpenFds;
import io.memfd.testing.PythonPeer;

/**
 * Peers that misbehave, each in a process of its own ({@code peer.py}, Python's standard library). After every case
 * the server still serves a good client, and this process has no descriptor it did not have before: whatever a peer
 * sent was closed, and so was the server's end of each connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostilePeerTest {

    private static final long MAX_BUFFER_SIZE = 4 << 20;
    private static final long NOBODY = 65534;

    @TempDir
    static Path directory;

    private final List<String> rejections = new CopyOnWriteArrayList<>();
    private MemFdServer server;
    private Set<OpenFds.Fd> baseline;

    @BeforeAll
    void startServer() throws Exception {
        PythonPeer.assumeAvailable();
        MemFdServerListener listener = new MemFdServerListener() {
            @Override
            public void rejected(PeerCredentials peer, RejectReason reason, String detail) {
                rejections.add(reason.name());
            }
        };
        server = MemFdServer.builder(directory.resolve("hostile.sock")).maxBufferSize(MAX_BUFFER_SIZE)
                .listener(listener).handler(request -> {
                    // Read every byte through a mapping: one a peer could shrink meanwhile would crash the test.
                    java.nio.ByteBuffer mapped = request.buffer().mapReadOnly();
                    long sum = 0;
                    for (int i = 0; i < mapped.limit(); i++) {
                        sum += mapped.get(i);
                    }
                    return ("read " + mapped.limit() + " bytes, sum " + sum).getBytes(UTF_8);
                }).start();
        goodClientIsServed();
        // The server closes its end of that connection when its thread sees the client's end, a moment later.
        MemFdServerTest.awaitNoConnections(server);
        baseline = OpenFds.snapshot();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void forgetRejections() {
        rejections.clear();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "unsealed-shrink,   MISSING_SEALS",
        "dev-shm,           NOT_MEMFD",
        "regular-file,      NOT_MEMFD",
        "directory,         NOT_MEMFD",
        "pipe,              NOT_MEMFD",
        "socket,            NOT_MEMFD",
        "two-fds,           TOO_MANY_FDS",
        "many-fds,          CONTROL_TRUNCATED",
        "no-fd,             NO_BUFFER",
        "garbage-header,    MALFORMED",
        "oversized-header,  HEADER_TOO_LARGE",
        "too-large-buffer,  BUFFER_TOO_LARGE",
    })
    void aRejectedMessageLeavesNothingBehind(String peerCase, String reason) throws Exception {
        List<String> printed = PythonPeer.run("send", server.path().toString(), peerCase);

        assertThat(printed).containsExactly("REJECTED " + reason);
        assertThat(rejections).containsExactly(reason);
        assertServesAndLeavesNothingBehind();
    }

    @Test
    void aPeerThatConnectsAndLeavesWithoutAWord() throws Exception {
        assertThat(PythonPeer.run("send", server.path().toString(), "connect-and-close")).containsExactly("CLOSED");

        assertServesAndLeavesNothingBehind();
    }

    @Test
    void aPeerThatSendsAndLeavesBeforeTheReply() throws Exception {
        assertThat(PythonPeer.run("send", server.path().toString(), "send-and-close")).containsExactly("SENT");

        assertServesAndLeavesNothingBehind();
    }

    @Test
    void aPythonPeerWithAGoodBufferIsServed() throws Exception {
        List<String> printed = PythonPeer.run("send", server.path().toString(), "good");

        assertThat(printed.get(0)).startsWith("OK read 1048576 bytes");
        assertServesAndLeavesNothingBehind();
    }

    @Test
    void aPeerOfAnotherUserIsRefused() throws Exception {
        assumeTrue(UnixSockets.effectiveUid() == 0, "only root can start a peer that runs as another user");
        // A socket file that user may open, in a directory it may enter: so only the server's uid check stands.
        inDirectoryOthersCanEnter(open -> {
            try (MemFdServer wide = MemFdServer.builder(open.resolve("wide.sock")).handler(request -> null)
                    .fileMode(PosixFilePermissions.fromString("rw-rw-rw-")).listener(new MemFdServerListener() {
                        @Override
                        public void rejected(PeerCredentials peer, RejectReason reason, String detail) {
                            rejections.add(reason + " " + peer.uid());
                        }
                    }).start()) {
                Set<OpenFds.Fd> withSecondServer = OpenFds.snapshot();

                assertThat(PythonPeer.run("send", wide.path().toString(), "wrong-uid"))
                        .containsExactly("REJECTED PEER_NOT_ALLOWED");
                assertThat(rejections).containsExactly("PEER_NOT_ALLOWED " + NOBODY);
                OpenFds.awaitNoneOpenedSince(withSecondServer);
            }
        });
        assertServesAndLeavesNothingBehind();
    }

    @Test
    void aPeerOfAnotherUserCannotEvenConnectToTheDefaultOwnerOnlySocket() throws Exception {
        assumeTrue(UnixSockets.effectiveUid() == 0, "only root can start a peer that runs as another user");
        inDirectoryOthersCanEnter(open -> {
            try (MemFdServer ownerOnly = MemFdServer.builder(open.resolve("owner.sock")).handler(request -> null)
                    .start()) {
                assertThat(PythonPeer.run("send", ownerOnly.path().toString(), "wrong-uid"))
                        .containsExactly("EACCES");
            }
        });
    }

    @Test
    void aClientSendsNothingToAServerOfAnotherUser() throws Exception {
        assumeTrue(UnixSockets.effectiveUid() == 0, "only root can start a peer that runs as another user");
        inDirectoryOthersCanWriteTo(shared -> {
            Path socket = shared.resolve("impostor.sock");
            try (PythonPeer impostor = PythonPeer.start("impostor", socket.toString());
                    MemFdClient client = MemFdClient.builder(socket).build();
                    MemFd secret = MemFd.create("secret")) {
                assertThat(impostor.readLine()).isEqualTo("ready");
                assertThatThrownBy(() -> client.send("secret".getBytes(UTF_8), secret))
                        .isInstanceOf(ServerUnavailableException.class)
                        .hasMessageContaining("runs as uid " + NOBODY)
                        .hasMessageEndingWith("not as a user this client allows [0]; nothing was sent");
                assertThat(impostor.finish()).containsExactly("received 0 bytes and 0 descriptors");
            }
        });
    }

    @Test
    void aClientSendsToAServerOfAnotherUserItAllows() throws Exception {
        assumeTrue(UnixSockets.effectiveUid() == 0, "only root can start a peer that runs as another user");
        inDirectoryOthersCanWriteTo(shared -> {
            Path socket = shared.resolve("allowed.sock");
            try (PythonPeer other = PythonPeer.start("impostor", socket.toString());
                    MemFdClient client = MemFdClient.builder(socket).allowedServerUids(Set.of(NOBODY)).build();
                    MemFd buffer = MemFd.create("for nobody")) {
                assertThat(other.readLine()).isEqualTo("ready");
                assertThat(client.serverCredentials().uid()).isEqualTo(NOBODY);
                // The peer closes without answering; what counts is what it received.
                assertThatThrownBy(() -> client.send("hello".getBytes(UTF_8), buffer))
                        .isInstanceOf(ConnectionClosedException.class);
                assertThat(other.finish()).containsExactly("received 6 bytes and 1 descriptors");
            }
        });
    }

    /** Runs {@code test} in a new directory under /tmp that every user may enter (the test's own is owner-only). */
    private static void inDirectoryOthersCanEnter(DirectoryTest test) throws Exception {
        inSharedDirectory("rwx--x--x", test);
    }

    /** Runs {@code test} in a new directory under /tmp where every user may create files. */
    private static void inDirectoryOthersCanWriteTo(DirectoryTest test) throws Exception {
        inSharedDirectory("rwxrwxrwx", test);
    }

    /** Runs {@code test} in a new directory under /tmp with these permissions; removes it and what is left in it. */
    private static void inSharedDirectory(String permissions, DirectoryTest test) throws Exception {
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "memfd-ipc-");
        try {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString(permissions));
            test.run(shared);
        } finally {
            try (var left = Files.list(shared)) {
                for (Path path : left.toList()) {
                    Files.delete(path);
                }
            }
            Files.delete(shared);
        }
    }

    private interface DirectoryTest {
        void run(Path directory) throws Exception;
    }

    private void assertServesAndLeavesNothingBehind() throws Exception {
        goodClientIsServed();
        OpenFds.awaitNoneOpenedSince(baseline);
    }

    private void goodClientIsServed() {
        try (MemFdClient client = MemFdClient.builder(server.path()).build();
                MemFd buffer = MemFdServerTest.sealed("good")) {
            assertThat(new String(client.send("good".getBytes(UTF_8), buffer), UTF_8))
                    .isEqualTo("read 4 bytes, sum " + "good".chars().sum());
        }
    }
}
