package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.testing.OpenFds;
import io.memfd.testing.TestLibc;

/** A server and a client in one process: the exchange, ownership of received buffers, and the socket file. */
class MemFdServerTest {

    @TempDir
    Path directory;

    @Test
    void aSocketPathOfMaxPathBytesIsServedAndALongerOneRefusedBeforeAnythingIsCreated() throws Exception {
        Path longest = directory.resolve("s".repeat(MemFdServer.MAX_PATH_BYTES - directory.toString().length() - 1));
        assertThat(longest.toString()).hasSize(MemFdServer.MAX_PATH_BYTES);
        assertThat(MemFdServer.checkPath(longest)).isEqualTo(longest);
        try (MemFdServer server = MemFdServer.builder(longest).handler(request -> "ok".getBytes(UTF_8))
                .bufferRequired(false).start();
                MemFdClient client = MemFdClient.builder(longest).build()) {
            assertThat(client.send("hi".getBytes(UTF_8))).asString(UTF_8).isEqualTo("ok");
        }

        Path tooLong = Path.of(longest + "s");
        assertThatThrownBy(() -> MemFdServer.checkPath(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + MemFdServer.MAX_PATH_BYTES + " bytes");
        assertThat(tooLong).doesNotExist();
    }

    @Test
    void aSealedBufferArrivesWithHeaderAndSenderAndTheReplyComesBack() {
        AtomicReference<String> seen = new AtomicReference<>();
        MemFdHandler handler = request -> {
            ByteBuffer content = request.buffer().mapReadOnly();
            byte[] bytes = new byte[content.remaining()];
            content.get(bytes);
            seen.set(new String(request.header(), UTF_8) + "|" + new String(bytes, UTF_8) + "|" + request.peer());
            return "thanks".getBytes(UTF_8);
        };
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(handler).start();
                MemFdClient client = MemFdClient.builder(server.path()).build();
                MemFd buffer = sealed("hello")) {
            byte[] reply = client.send("greeting".getBytes(UTF_8), buffer);

            assertThat(new String(reply, UTF_8)).isEqualTo("thanks");
            long pid = ProcessHandle.current().pid();
            long uid = UnixSockets.effectiveUid();
            assertThat(seen.get()).isEqualTo("greeting|hello|pid " + pid + ", uid " + uid + ", gid "
                    + client.serverCredentials().gid());
            assertThat(client.serverCredentials().pid()).isEqualTo(pid);
        }
    }

    @Test
    void theReceivedDescriptorIsTheSameFileAndCloseOnExec() {
        AtomicReference<long[]> seen = new AtomicReference<>();
        MemFdHandler handler = request -> {
            seen.set(request.buffer().withRawFd(fd -> new long[] {TestLibc.inode(fd),
                    OpenFds.statusFlags(fd) & TestLibc.O_CLOEXEC}));
            return null;
        };
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(handler).start();
                MemFdClient client = MemFdClient.builder(server.path()).build();
                MemFd buffer = sealed("x")) {
            assertThat(client.send(new byte[0], buffer)).isEmpty();

            long inode = buffer.withRawFd(fd -> TestLibc.inode(fd));
            assertThat(seen.get()).containsExactly(inode, TestLibc.O_CLOEXEC);
        }
    }

    @Test
    void theServerClosesTheBufferAfterTheHandlerUnlessTheHandlerKeepsIt() throws Exception {
        List<MemFd> received = new CopyOnWriteArrayList<>();
        MemFdHandler handler = request -> {
            boolean keep = request.header().length > 0;
            received.add(keep ? request.keepBuffer() : request.buffer());
            return null;
        };
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(handler).start();
                MemFdClient client = MemFdClient.builder(server.path()).build();
                MemFd buffer = sealed("x")) {
            client.send(new byte[0], buffer);
            client.send(new byte[] {1}, buffer);

            assertThat(received.get(0).isOpen()).isFalse();
            assertThat(received.get(1).isOpen()).isTrue();
            assertThat(received.get(1).readAllBytes()).isEqualTo("x".getBytes(UTF_8));
            received.get(1).close();
        }
    }

    @Test
    void buffersAdoptedThroughAFactoryAppearInItsRegistryWhileTheHandlerHasThem() {
        try (MemFdFactory factory = MemFdFactory.builder().build()) {
            AtomicReference<Integer> liveDuringHandler = new AtomicReference<>();
            MemFdHandler handler = request -> {
                liveDuringHandler.set(factory.registry().count());
                return null;
            };
            try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(handler)
                    .factory(factory).start();
                    MemFdClient client = MemFdClient.builder(server.path()).build();
                    MemFd buffer = sealed("x")) {
                client.send(new byte[0], buffer);
            }
            assertThat(liveDuringHandler.get()).isEqualTo(1);
            assertThat(factory.registry().count()).isZero();
            assertThat(factory.registry().createdCount()).isEqualTo(1);
        }
    }

    @Test
    void aBufferBeyondTheFactorysBudgetIsRejectedAndNotListed() {
        // Room for one page and its file: a buffer of two pages passes it.
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(4096 + 1024).build();
                MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(request -> null)
                        .factory(factory).start();
                MemFdClient client = MemFdClient.builder(server.path()).build();
                MemFd small = sealed("abc");
                MemFd large = sealed("a".repeat(4097))) {
            client.send(new byte[0], small);

            assertThatThrownBy(() -> client.send(new byte[0], large))
                    .isInstanceOfSatisfying(MessageRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectReason.OVER_BUDGET));
            assertThat(factory.registry().count()).isZero();
            assertThat(factory.registry().createdCount()).isEqualTo(1);
        }
    }

    @Test
    void aFailingHandlerIsReportedToTheClientAndTheConnectionGoesOn() {
        List<RejectReason> reasons = new CopyOnWriteArrayList<>();
        MemFdServerListener listener = new MemFdServerListener() {
            @Override
            public void rejected(PeerCredentials peer, RejectReason reason, String detail) {
                reasons.add(reason);
            }
        };
        MemFdHandler handler = request -> {
            if (request.header()[0] == 'x') {
                throw new IllegalArgumentException("cannot parse the header");
            }
            return "ok".getBytes(UTF_8);
        };
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(handler)
                .listener(listener).start();
                MemFdClient client = MemFdClient.builder(server.path()).build();
                MemFd buffer = sealed("x")) {
            assertThatThrownBy(() -> client.send("x".getBytes(UTF_8), buffer))
                    .isInstanceOfSatisfying(MessageRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectReason.HANDLER_FAILED))
                    .hasMessageNotContaining("cannot parse");

            assertThat(client.send("y".getBytes(UTF_8), buffer)).isEqualTo("ok".getBytes(UTF_8));
            assertThat(reasons).containsExactly(RejectReason.HANDLER_FAILED);
        }
    }

    @Test
    void headerOnlyMessagesReachTheHandlerWhenNoBufferIsRequired() {
        MemFdHandler handler = request -> request.hasBuffer() ? null : request.header();
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(handler)
                .bufferRequired(false).start();
                MemFdClient client = MemFdClient.builder(server.path()).build()) {
            assertThat(client.send("ping".getBytes(UTF_8))).isEqualTo("ping".getBytes(UTF_8));
        }
    }

    @Test
    void theSocketFileIsOwnerOnlyByDefaultWhateverTheUmask() throws Exception {
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(request -> null).start()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.path())))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void theSocketFileGetsExactlyTheConfiguredMode() throws Exception {
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(request -> null)
                .fileMode(PosixFilePermissions.fromString("rw-rw-rw-")).start()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.path())))
                    .isEqualTo("rw-rw-rw-");
        }
    }

    @Test
    void theSocketFileIsRemovedOnClose() {
        MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(request -> null).start();
        assertThat(server.path()).exists();

        server.close();

        assertThat(server.path()).doesNotExist();
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(() -> MemFdClient.builder(server.path()).build().send(new byte[0]))
                .isInstanceOf(ServerUnavailableException.class).hasMessageContaining(server.path().toString());
    }

    @Test
    void aFileThatReplacedTheSocketIsNotRemovedOnClose() throws Exception {
        MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(request -> null).start();
        Files.delete(server.path());
        Files.writeString(server.path(), "someone else's");

        server.close();

        assertThat(server.path()).hasContent("someone else's");
    }

    @Test
    void aSocketFileLeftBehindByADeadServerIsReplaced() {
        Path path = directory.resolve("s.sock");
        leaveStaleSocketFile(path);

        try (MemFdServer server = MemFdServer.builder(path).handler(request -> "up".getBytes(UTF_8))
                .bufferRequired(false).start();
                MemFdClient client = MemFdClient.builder(path).build()) {
            assertThat(client.send(new byte[0])).isEqualTo("up".getBytes(UTF_8));
        }
    }

    @Test
    void aLiveServersSocketIsNotTaken() {
        Path path = directory.resolve("s.sock");
        try (MemFdServer first = MemFdServer.builder(path).handler(request -> "first".getBytes(UTF_8))
                .bufferRequired(false).start();
                MemFdClient client = MemFdClient.builder(path).build()) {
            assertThatThrownBy(() -> MemFdServer.builder(path).handler(request -> null).start())
                    .isInstanceOf(AddressInUseException.class).hasMessageContaining("a live server listens there");

            assertThat(client.send(new byte[0])).isEqualTo("first".getBytes(UTF_8));
        }
    }

    @Test
    void aFileThatIsNotASocketIsLeftAlone() throws Exception {
        Path path = directory.resolve("s.sock");
        Files.writeString(path, "data");

        assertThatThrownBy(() -> MemFdServer.builder(path).handler(request -> null).start())
                .isInstanceOf(AddressInUseException.class).hasMessageContaining("not a socket file");
        assertThat(path).hasContent("data");
    }

    @Test
    void aServerRunsOnce() {
        MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(request -> null).build();
        server.start();
        server.close();

        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aClientReconnectsWhenTheServerClosedItsIdleConnection() throws Exception {
        Path path = directory.resolve("s.sock");
        try (MemFdServer server = MemFdServer.builder(path).handler(request -> "up".getBytes(UTF_8))
                .bufferRequired(false).idleTimeout(java.time.Duration.ofMillis(100)).start();
                MemFdClient client = MemFdClient.builder(path).build()) {
            assertThat(client.send(new byte[0])).isEqualTo("up".getBytes(UTF_8));
            awaitNoConnections(server);

            assertThat(client.send(new byte[0])).isEqualTo("up".getBytes(UTF_8));
        }
    }

    static void awaitNoConnections(MemFdServer server) throws InterruptedException {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(server.activeConnections()).isZero());
    }

    @Test
    void byDefaultABufferItsSenderCouldStillGrowIsRefused() {
        // Without GROW, a sender that keeps its descriptor grows an accepted buffer past every limit afterwards.
        try (MemFdServer server = MemFdServer.builder(directory.resolve("s.sock")).handler(request -> null).start();
                MemFdClient client = MemFdClient.builder(server.path()).build();
                MemFd growable = MemFd.create("growable")) {
            growable.write(0, new byte[] {1});
            growable.addSeal(Seal.SHRINK);

            assertThatThrownBy(() -> client.send(new byte[0], growable))
                    .isInstanceOfSatisfying(MessageRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectReason.MISSING_SEALS))
                    .hasMessageContaining("missing [GROW]");
        }
    }

    @Test
    void allowedUsersMustBeUserIds() {
        Path path = directory.resolve("s.sock");
        for (Set<Long> uids : List.of(Set.<Long>of(), Set.of(-1L), Set.of(0xFFFF_FFFFL), Set.of(1L << 32))) {
            assertThatThrownBy(() -> MemFdServer.builder(path).allowedUids(uids)).as("%s", uids)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("allowedUids must");
            assertThatThrownBy(() -> MemFdClient.builder(path).allowedServerUids(uids)).as("%s", uids)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("allowedServerUids must");
        }
        assertThatThrownBy(() -> MemFdServer.builder(path).allowedUids(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("allowedUids");
        MemFdServer.builder(path).allowedUids(Set.of(0L, 0xFFFF_FFFEL));
    }

    static MemFd sealed(String content) {
        MemFd buffer = MemFd.create("test");
        buffer.write(0, content.getBytes(UTF_8));
        buffer.addSeals(Set.of(Seal.SHRINK, Seal.GROW, Seal.WRITE));
        return buffer;
    }

    /** A server that died: its socket file stays, nobody listens on it. */
    private static void leaveStaleSocketFile(Path path) {
        io.memfd.internal.FdHandle socket = new io.memfd.internal.FdHandle(UnixSockets.open(path, false));
        try {
            assertThat(UnixSockets.bind(socket.number(), path)).isTrue();
        } finally {
            socket.close();
        }
        assertThat(path).exists();
    }
}
