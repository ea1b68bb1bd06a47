package io.memfd.spring.autoconfigure.ipc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.ipc.MemFdHandler;
import io.memfd.ipc.RejectReason;
import io.memfd.spring.autoconfigure.MemFdAutoConfiguration;
import io.memfd.spring.autoconfigure.metrics.MemFdIpcMetricsAutoConfiguration;
import io.memfd.testing.OpenFds;
import io.memfd.testing.PythonPeer;

import static io.memfd.testing.Io.unchecked;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: a process of its own, written with Python's standard library ({@code os.memfd_create}, {@code fcntl}
 * seals, {@code socket.send_fds}), hands a sealed memfd to the server the starter runs. The handler sees the very file
 * the sender made (same inode, same bytes), listed in the application's registry; the reply reaches the sender; a
 * buffer the sender could shrink is turned down; the Actuator counter shows both outcomes.
 */
class MemFdIpcEndToEndTests {

    @TempDir
    Path directory;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class, MemFdIpcServerAutoConfiguration.class,
                MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class, MemFdIpcMetricsAutoConfiguration.class))
        .withUserConfiguration(DescribingHandler.class);

    @BeforeAll
    static void python() throws Exception {
        PythonPeer.assumeAvailable();
    }

    @Test
    void aSealedMemfdFromPythonReachesTheHandlerAndTheReplyReachesPython() {
        Path socket = this.directory.resolve("app.sock");
        this.runner.withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket)
            .run((context) -> {
                List<String> printed = PythonPeer.run("send", socket.toString(), "good");

                String seen = context.getBean(DescribingHandler.class).seen.get();
                // peer.py prints the outcome, then the inode and SHA-256 of the memfd it sent.
                assertThat(printed).containsExactly("OK listed python-good " + seen, seen);
                assertThat(seen).startsWith("inode=");
                assertThat(received(context.getBean(MeterRegistry.class), "accepted", "none")).isEqualTo(1);
                assertThat(received(context.getBean(MeterRegistry.class), "rejected", "MISSING_SEALS")).isZero();
                // Closed after the handler, before the reply: not a descriptor of it is left in this process.
                assertThat(context.getBean(MemFdFactory.class).registry().count()).isZero();
                assertThat(OpenFds.memfdsNamed("python-good")).isZero();
            });
    }

    @Test
    void aBufferTheSenderCouldShrinkIsRejectedAndCounted() {
        Path socket = this.directory.resolve("strict.sock");
        this.runner.withPropertyValues("memfd.ipc.server.enabled=true", "memfd.ipc.server.path=" + socket)
            .run((context) -> {
                assertThat(PythonPeer.run("send", socket.toString(), "unsealed-shrink"))
                    .containsExactly("REJECTED MISSING_SEALS");
                assertThat(PythonPeer.run("send", socket.toString(), "pipe")).containsExactly("REJECTED NOT_MEMFD");
                assertThat(PythonPeer.run("send", socket.toString(), "good")).first().asString().startsWith("OK ");

                MeterRegistry meters = context.getBean(MeterRegistry.class);
                assertThat(received(meters, "rejected", "MISSING_SEALS")).isEqualTo(1);
                assertThat(received(meters, "rejected", "NOT_MEMFD")).isEqualTo(1);
                assertThat(received(meters, "accepted", "none")).isEqualTo(1);
                assertThat(meters.get("memfd.ipc.received").tag("outcome", "rejected").counters()).extracting(
                        (counter) -> counter.count()).containsOnly(0.0, 1.0).hasSize(RejectReason.values().length);
                assertThat(context.getBean(DescribingHandler.class).calls).hasValue(1);
                // A rejected buffer is closed before the rejection is sent.
                assertThat(OpenFds.memfdsNamed("unsealed")).isZero();
            });
    }

    private static double received(MeterRegistry meters, String outcome, String reason) {
        return meters.get("memfd.ipc.received").tag("outcome", outcome).tag("reason", reason).counter().count();
    }

    /** Describes each buffer as peer.py describes the one it sent, after checking the registry lists it. */
    @Configuration(proxyBeanMethods = false)
    static class DescribingHandler {

        final AtomicReference<String> seen = new AtomicReference<>();

        final AtomicInteger calls = new AtomicInteger();

        @Bean
        MemFdHandler describingHandler(MemFdFactory factory) {
            return (request) -> {
                this.calls.incrementAndGet();
                MemFd buffer = request.buffer();
                boolean listed = factory.registry().find(buffer.info().id()).orElse(null) == buffer;
                long inode = ((Number) buffer.withProcPath(unchecked((path) -> Files.getAttribute(path, "unix:ino"))))
                    .longValue();
                this.seen.set("inode=" + inode + " sha256=" + sha256(buffer.mapReadOnly()));
                String header = new String(request.header(), StandardCharsets.UTF_8);
                return ((listed ? "listed " : "not listed ") + header + " " + this.seen.get())
                    .getBytes(StandardCharsets.UTF_8);
            };
        }

        private static String sha256(ByteBuffer data) throws Exception {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data);
            return HexFormat.of().formatHex(digest.digest());
        }
    }

}
