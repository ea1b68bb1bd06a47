package io.memfd.spring.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import io.memfd.spring.web.AbstractServingTests;
import io.memfd.spring.web.RawHttp;
import io.memfd.testing.OpenFds;

/**
 * A client that reads a download, but slower than memfd.web.serving.minimum-rate (64 KB/s here): it keeps reading
 * within every idle time, so the kernel keeps sending and the stall watch alone would let it hold the response, and
 * with it the memfd's pages, for ever. Its connection is closed; a client reading faster keeps its download.
 */
@SpringBootTest(classes = FluxApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "memfd.web.serving.idle-timeout=3s",
            "memfd.web.serving.minimum-rate=64KB" })
@Import(MemFdWebFluxSlowDownloadTests.SmallSendBuffer.class)
class MemFdWebFluxSlowDownloadTests extends AbstractServingTests {

    private static final int BIG = 16 << 20;

    private static final int READ = 8 * 1024;

    @LocalServerPort
    private int serverPort;

    MemFdWebFluxSlowDownloadTests() {
        super("small.bin");
    }

    @Test
    void aClientThatReadsSlowerThanTheMinimumRateLosesItsDownload() throws Exception {
        this.files.byName.put("trickle.bin", this.resources.createSealed("trickle.bin", RawHttp.random(BIG)));
        long requestedAt = System.nanoTime();
        try (Socket client = download("trickle.bin")) {
            InputStream in = client.getInputStream();
            byte[] chunk = new byte[READ];
            long received = 0;
            // 16 KB/s: a quarter of the minimum, in reads that open the small receive window often enough for the
            // kernel to send something within every idle time (what the stall watch alone would accept).
            while (OpenFds.memfdsNamed("trickle.bin") == 2 && System.nanoTime() - requestedAt < secondsInNanos(30)) {
                received += Math.max(0, in.read(chunk));
                Thread.sleep(500);
            }
            assertThat(OpenFds.memfdsNamed("trickle.bin")).as("only the memfd itself, after %d bytes read", received)
                .isEqualTo(1);
            // The response starts, and so can fall behind, at the earliest when it was requested.
            assertThat(System.nanoTime() - requestedAt).as("not before the idle timeout")
                .isGreaterThanOrEqualTo(secondsInNanos(3));
        } finally {
            this.files.closeAll();
        }
    }

    @Test
    void aClientThatReadsFasterThanTheMinimumRateKeepsItsDownload() throws Exception {
        this.files.byName.put("steady.bin", this.resources.createSealed("steady.bin", RawHttp.random(BIG)));
        try (Socket client = download("steady.bin")) {
            InputStream in = client.getInputStream();
            byte[] chunk = new byte[READ];
            long received = 0;
            // At most 400 KB/s for 8 s: slow, but faster than the minimum even on a busy machine.
            for (long end = System.nanoTime() + secondsInNanos(8); System.nanoTime() < end;) {
                received += in.read(chunk);
                Thread.sleep(20);
            }
            assertThat(OpenFds.memfdsNamed("steady.bin")).as("the memfd and the response's own, after %d bytes",
                    received).isEqualTo(2);
        } finally {
            this.files.closeAll();
        }
    }

    /** An unconnected client socket. */
    Socket newSocket() throws Exception {
        return new Socket();
    }

    private Socket download(String name) throws Exception {
        Socket client = newSocket();
        client.setReceiveBufferSize(16 * 1024);
        client.connect(new InetSocketAddress("localhost", this.serverPort));
        client.setSoTimeout(10_000);
        String request = "GET /files/" + name + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
        client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        await().until(() -> OpenFds.memfdsNamed(name) == 2);   // the memfd and the response's own
        return client;
    }

    private static long secondsInNanos(int seconds) {
        return Duration.ofSeconds(seconds).toNanos();
    }

    /** A fixed, small socket send buffer, so that what the kernel holds ahead of a slow client stays small. */
    @TestConfiguration(proxyBeanMethods = false)
    static class SmallSendBuffer {

        @Bean
        NettyServerCustomizer smallSendBuffer() {
            return (server) -> server.childOption(ChannelOption.SO_SNDBUF, 64 * 1024);
        }
    }
}
