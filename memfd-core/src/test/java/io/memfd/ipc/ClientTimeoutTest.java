package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import io.memfd.MemFd;
import io.memfd.testing.TestLibc;

/** The reply timeout holds however the wait for the reply is interrupted. */
class ClientTimeoutTest {

    /** Ignored by default and unused by the JVM, so a handler for it changes nothing else in the test process. */
    private static final int SIGURG = 23;

    @TempDir
    Path directory;

    @Test
    void signalsDoNotStretchTheReplyTimeout() throws Exception {
        // With SO_RCVTIMEO set, a signal ends a blocking recvmsg with EINTR even under SA_RESTART; retrying it would
        // start the timeout afresh, so signals more frequent than the timeout would keep the client waiting for ever.
        // getpid ignores the signal number it is given: a handler that does nothing.
        TestLibc.signal(SIGURG, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("getpid"));
        CountDownLatch release = new CountDownLatch(1);
        try (MemFdServer server = MemFdServer.builder(directory.resolve("silent.sock")).handler(request -> {
            release.await();
            return null;
        }).shutdownTimeout(Duration.ofSeconds(5)).start();
                MemFdClient client = MemFdClient.builder(server.path()).replyTimeout(Duration.ofSeconds(1)).build();
                MemFd buffer = MemFd.create("unanswered")) {
            buffer.makeImmutable();
            AtomicInteger tid = new AtomicInteger();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread sender = new Thread(() -> {
                try {
                    // "PID/task/TID"
                    tid.set(Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName()
                            .toString()));
                    client.send("hello".getBytes(UTF_8), buffer);
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            long start = System.nanoTime();
            sender.start();
            while (sender.isAlive() && System.nanoTime() - start < 5_000_000_000L) {
                Thread.sleep(200);
                if (tid.get() != 0 && sender.isAlive()) {
                    TestLibc.tgkill(TestLibc.getpid(), tid.get(), SIGURG);
                }
            }
            sender.join(1000);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            release.countDown();

            assertThat(outcome.get()).isInstanceOf(IpcTimeoutException.class)
                    .hasMessageEndingWith("no progress within 1000 ms");
            assertThat(elapsedMillis).as("time until the 1 s reply timeout ended the call").isBetween(900L, 2500L);
        }
    }
}
