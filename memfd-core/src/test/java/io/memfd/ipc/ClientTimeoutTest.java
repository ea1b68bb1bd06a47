package io.memfd.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    /** How long the call is signalled at most: far longer than the timeout. */
    private static final long SIGNALLING_SECONDS = 10;

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
            AtomicLong callMillis = new AtomicLong();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread sender = new Thread(() -> {
                try {
                    // "PID/task/TID"
                    tid.set(Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName()
                            .toString()));
                    long start = System.nanoTime();
                    try {
                        client.send("hello".getBytes(UTF_8), buffer);
                    } finally {
                        callMillis.set((System.nanoTime() - start) / 1_000_000);
                    }
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            long start = System.nanoTime();
            sender.start();
            while (sender.isAlive() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(SIGNALLING_SECONDS)) {
                Thread.sleep(200);
                if (tid.get() != 0 && sender.isAlive()) {
                    TestLibc.tgkill(TestLibc.getpid(), tid.get(), SIGURG);
                }
            }
            sender.join(TimeUnit.SECONDS.toMillis(30));
            release.countDown();
            assertThat(sender.isAlive()).as("the call ended").isFalse();

            assertThat(outcome.get()).isInstanceOf(IpcTimeoutException.class)
                    .hasMessageEndingWith("no progress within 1000 ms");
            // A timeout started afresh at each signal would end the call only once the signals stop. The upper bound
            // is far from both: a loaded machine may well be late by seconds.
            assertThat(callMillis.get()).as("time until the 1 s reply timeout ended the call, with a signal every"
                    + " 200 ms for up to %d s", SIGNALLING_SECONDS).isBetween(900L, SIGNALLING_SECONDS * 1000 / 2);
        }
    }
}
