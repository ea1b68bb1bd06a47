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
            sender.start();
            // Signals go on until the call ends or for SIGNALLING_SECONDS, far longer than the timeout. That the
            // call ended while they still came is what a timeout started afresh at each signal could not do; unlike
            // a bound on elapsed time, a loaded machine cannot break it.
            long signallingEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(SIGNALLING_SECONDS);
            int signals = 0;
            while (sender.isAlive() && System.nanoTime() < signallingEnds) {
                Thread.sleep(200);
                if (tid.get() != 0 && sender.isAlive()) {
                    TestLibc.tgkill(TestLibc.getpid(), tid.get(), SIGURG);
                    signals++;
                }
            }
            boolean endedWhileSignalled = !sender.isAlive();
            sender.join(TimeUnit.SECONDS.toMillis(30));
            release.countDown();
            assertThat(sender.isAlive()).as("the call ended").isFalse();

            assertThat(outcome.get()).isInstanceOf(IpcTimeoutException.class)
                    .hasMessageEndingWith("no progress within 1000 ms");
            assertThat(signals).as("signals sent during the call").isPositive();
            assertThat(endedWhileSignalled).as("the call ended while a signal came every 200 ms").isTrue();
            // Load only makes the call longer, so this bound cannot fail on a slow machine: the timeout was not cut.
            assertThat(callMillis.get()).as("time until the 1 s reply timeout ended the call")
                    .isGreaterThanOrEqualTo(900L);
        }
    }
}
