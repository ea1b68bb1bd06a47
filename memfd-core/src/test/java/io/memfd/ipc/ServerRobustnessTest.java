package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.MemFd;
import io.memfd.testing.OpenFds;

/**
 * Silent peers, crowds of peers and stopping: the server keeps serving, bounds what it holds, and stops without
 * hanging. Bounds on time here are generous: they tell a hang from a stop, not fast from slow.
 */
class ServerRobustnessTest {

    /** Far longer than any of these operations takes, far shorter than a hang. */
    private static final long NO_HANG_SECONDS = 30;

    @TempDir
    Path directory;

    @Test
    void aSilentPeerIsDisconnectedAfterTheIdleTimeout() throws Exception {
        try (MemFdServer server = echoServer().idleTimeout(Duration.ofMillis(200)).start();
                MemFdClient silent = MemFdClient.builder(server.path()).build()) {
            silent.serverCredentials();
            awaitConnections(server, 1);

            MemFdServerTest.awaitNoConnections(server);

            assertThat(silent.send("after".getBytes(UTF_8))).isEqualTo("after".getBytes(UTF_8));
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedUntilThereIsRoom() throws Exception {
        try (MemFdServer server = echoServer().maxConnections(2).start();
                MemFdClient first = MemFdClient.builder(server.path()).build();
                MemFdClient second = MemFdClient.builder(server.path()).build();
                MemFdClient third = MemFdClient.builder(server.path()).build()) {
            first.serverCredentials();
            second.serverCredentials();
            awaitConnections(server, 2);

            assertThatThrownBy(() -> third.send("third".getBytes(UTF_8)))
                    .isInstanceOfSatisfying(MessageRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectReason.TOO_MANY_CONNECTIONS));

            first.close();
            awaitConnections(server, 1);
            assertThat(third.send("third".getBytes(UTF_8))).isEqualTo("third".getBytes(UTF_8));
            assertThat(second.send("second".getBytes(UTF_8))).isEqualTo("second".getBytes(UTF_8));
        }
    }

    @Test
    void manyClientsAtOnceAreAllServedAndLeaveNothingBehind() throws Exception {
        int clients = 8;
        int messagesEach = 25;
        AtomicInteger handled = new AtomicInteger();
        MemFdHandler handler = request -> {
            handled.incrementAndGet();
            return concat(request.header(), request.buffer().readAllBytes());
        };
        try (MemFdServer server = MemFdServer.builder(directory.resolve("crowd.sock")).handler(handler)
                .maxConnections(clients).start()) {
            Set<OpenFds.Fd> baseline = OpenFds.snapshot();
            ExecutorService threads = Executors.newFixedThreadPool(clients);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    String name = "client-" + c;
                    results.add(threads.submit(() -> sendMany(server.path(), name, messagesEach)));
                }
                for (Future<?> result : results) {
                    result.get(NO_HANG_SECONDS, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(handled).hasValue(clients * messagesEach);
            MemFdServerTest.awaitNoConnections(server);
            OpenFds.awaitNoneOpenedSince(baseline);
        }
    }

    @Test
    void closeStopsPromptlyWhileAClientIsConnectedAndSilent() throws Exception {
        MemFdServer server = MemFdServer.builder(directory.resolve("silent.sock")).handler(request -> null).start();
        try (MemFdClient silent = MemFdClient.builder(server.path()).build()) {
            silent.serverCredentials();
            awaitConnections(server, 1);

            assertStopsWithoutHanging(server);

            awaitNoThreadsOf(server);
            assertThat(server.path()).doesNotExist();
            assertThatThrownBy(() -> silent.send("anyone?".getBytes(UTF_8))).isInstanceOf(IpcException.class);
        }
    }

    @Test
    void closeInterruptsAHandlerThatOutlivesTheShutdownTimeout() throws Exception {
        CountDownLatch neverReleased = new CountDownLatch(1);
        CountDownLatch handling = new CountDownLatch(1);
        MemFdServer server = MemFdServer.builder(directory.resolve("stuck.sock")).bufferRequired(false)
                .shutdownTimeout(Duration.ofMillis(200)).handler(request -> {
                    handling.countDown();
                    neverReleased.await();
                    return null;
                }).start();
        try (MemFdClient client = MemFdClient.builder(server.path()).build()) {
            Thread sender = new Thread(() -> {
                try {
                    client.send(new byte[0]);
                } catch (IpcException expected) {
                    // The server stops while handling this message.
                }
            });
            sender.start();
            assertThat(handling.await(NO_HANG_SECONDS, TimeUnit.SECONDS)).isTrue();

            assertStopsWithoutHanging(server);

            sender.join(TimeUnit.SECONDS.toMillis(NO_HANG_SECONDS));
            assertThat(sender.isAlive()).isFalse();
            awaitNoThreadsOf(server);
        }
    }

    @Test
    void aHandlerStillRunningWhenTheServerStopsGetsItsReplyOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch handling = new CountDownLatch(1);
        MemFdServer server = MemFdServer.builder(directory.resolve("late.sock")).bufferRequired(false)
                .handler(request -> {
                    handling.countDown();
                    release.await();
                    return "late".getBytes(UTF_8);
                }).start();
        try (MemFdClient client = MemFdClient.builder(server.path()).build()) {
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread sender = new Thread(() -> {
                try {
                    outcome.set(new String(client.send(new byte[0]), UTF_8));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            sender.start();
            assertThat(handling.await(NO_HANG_SECONDS, TimeUnit.SECONDS)).isTrue();
            Thread closer = new Thread(server::close);
            closer.start();
            // The socket file goes once every connection has stopped receiving: the stop is under way.
            awaitAsserted(() -> assertThat(server.path()).doesNotExist());

            release.countDown();

            sender.join(TimeUnit.SECONDS.toMillis(NO_HANG_SECONDS));
            closer.join(TimeUnit.SECONDS.toMillis(NO_HANG_SECONDS));
            assertThat(outcome.get()).isEqualTo("late");
            assertThat(closer.isAlive()).isFalse();
            awaitNoThreadsOf(server);
        } finally {
            release.countDown();
        }
    }

    @Test
    void closingTheClientEndsACallWaitingForItsReply() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch handling = new CountDownLatch(1);
        try (MemFdServer server = MemFdServer.builder(directory.resolve("slow.sock")).bufferRequired(false)
                .handler(request -> {
                    handling.countDown();
                    release.await();
                    return null;
                }).start()) {
            try {
                MemFdClient client = MemFdClient.builder(server.path()).build();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread sender = new Thread(() -> {
                    try {
                        client.send(new byte[0]);
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                sender.start();
                assertThat(handling.await(NO_HANG_SECONDS, TimeUnit.SECONDS)).isTrue();

                client.close();

                sender.join(TimeUnit.SECONDS.toMillis(NO_HANG_SECONDS));
                assertThat(sender.isAlive()).isFalse();
                assertThat(failure.get()).isInstanceOf(ConnectionClosedException.class).hasMessageContaining("closed");
            } finally {
                release.countDown();
            }
        }
    }

    private MemFdServer.Builder echoServer() {
        return MemFdServer.builder(directory.resolve("echo.sock")).bufferRequired(false).handler(MemFdRequest::header);
    }

    private static void sendMany(Path path, String name, int count) {
        try (MemFdClient client = MemFdClient.builder(path).build()) {
            for (int i = 0; i < count; i++) {
                String header = name + "#" + i + ":";
                try (MemFd buffer = MemFdServerTest.sealed(name)) {
                    assertThat(new String(client.send(header.getBytes(UTF_8), buffer), UTF_8))
                            .isEqualTo(header + name);
                }
            }
        }
    }

    private static void assertStopsWithoutHanging(MemFdServer server) throws InterruptedException {
        Thread closer = new Thread(server::close);
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(NO_HANG_SECONDS));
        assertThat(closer.isAlive()).as("close() returned").isFalse();
        assertThat(server.isRunning()).isFalse();
    }

    private static void awaitConnections(MemFdServer server, int count) throws InterruptedException {
        awaitAsserted(() -> assertThat(server.activeConnections()).isEqualTo(count));
    }

    /** Waits for the server's threads to end: a thread's last steps may follow the pool's termination. */
    private static void awaitNoThreadsOf(MemFdServer server) throws InterruptedException {
        awaitAsserted(() -> assertThat(threadsOf(server)).isEmpty());
    }

    private static void awaitAsserted(ThrowingRunnable assertion) {
        Awaitility.await().atMost(Duration.ofSeconds(NO_HANG_SECONDS)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(assertion);
    }

    /** The server's threads, named "memfd-ipc-... SOCKETFILE". */
    private static List<String> threadsOf(MemFdServer server) {
        String suffix = " " + server.path().getFileName();
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("memfd-ipc") && thread.getName().endsWith(suffix)) {
                names.add(thread.getName());
            }
        }
        return names;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
