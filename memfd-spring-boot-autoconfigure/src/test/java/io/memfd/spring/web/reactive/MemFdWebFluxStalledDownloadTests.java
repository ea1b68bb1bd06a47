package io.memfd.spring.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
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
 * A client that stops reading a download (memfd.web.serving.idle-timeout): its connection is closed once the
 * response made no progress for that long, so that it cannot keep a deleted memfd's pages, and its share of the
 * budget, for as long as it likes.
 */
@SpringBootTest(classes = FluxApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "memfd.web.serving.idle-timeout=2s" })
@Import(MemFdWebFluxStalledDownloadTests.LargeSendBuffer.class)
class MemFdWebFluxStalledDownloadTests extends AbstractServingTests {

    private static final int BIG = 16 << 20;

    @LocalServerPort
    private int serverPort;

    MemFdWebFluxStalledDownloadTests() {
        super("small.bin");
    }

    @Test
    void aClientThatStopsReadingLosesItsConnectionAndTheDeletedMemfdItsCharge() throws Exception {
        long before = this.factory.registry().usedBytes();
        this.files.byName.put("stalled.bin", this.resources.createSealed("stalled.bin", RawHttp.random(BIG)));
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress("localhost", this.serverPort));
            String request = "GET /files/stalled.bin HTTP/1.1\r\nHost: localhost\r\n\r\n";
            long requestedAt = System.nanoTime();
            client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            await().until(() -> OpenFds.memfdsNamed("stalled.bin") == 2);   // the memfd and the response's own

            this.files.byName.remove("stalled.bin").close();
            assertThat(this.factory.registry().usedBytes()).as("charged while the response holds the pages")
                .isGreaterThanOrEqualTo(before + BIG);

            await().atMost(Duration.ofSeconds(20)).until(() -> this.factory.registry().usedBytes() == before);
            // The response stops making progress at the earliest when it starts, after the request.
            assertThat(System.nanoTime() - requestedAt).as("not before the idle timeout")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
            assertThat(OpenFds.memfdsNamed("stalled.bin")).isZero();
            assertThat(endsAfterWhatWasSent(client)).as("the server closed the connection").isTrue();
        }
    }

    /**
     * A client that reads slowly but all the time keeps its download for as long as it takes: the socket's send buffer
     * (1 MiB here, as autotuning makes it for clients with larger windows) drains slowly and Netty cannot write for
     * longer than the idle timeout, but the kernel keeps sending.
     */
    @Test
    void aClientThatReadsSlowlyButSteadilyKeepsItsDownload() throws Exception {
        this.files.byName.put("slow.bin", this.resources.createSealed("slow.bin", RawHttp.random(BIG)));
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(256 * 1024);
            client.connect(new InetSocketAddress("localhost", this.serverPort));
            client.setSoTimeout(10_000);
            String request = "GET /files/slow.bin HTTP/1.1\r\nHost: localhost\r\n\r\n";
            client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            byte[] chunk = new byte[8 * 1024];
            long received = 0;
            // At most 160 KB/s for 8 s, four idle timeouts: far slower than the server sends, in reads large enough
            // that the window the client advertises opens by whole segments.
            for (long end = System.nanoTime() + Duration.ofSeconds(8).toNanos(); System.nanoTime() < end;) {
                received += in.read(chunk);
                Thread.sleep(50);
            }
            // The kernel goes on sending what a closed socket had queued, so the reads alone cannot tell: the
            // response's own descriptor of the memfd can.
            assertThat(OpenFds.memfdsNamed("slow.bin")).as("the memfd and the response's own, after %d bytes", received)
                .isEqualTo(2);
        } finally {
            this.files.closeAll();
        }
    }

    /** A fixed, large socket send buffer, which a slow client drains for longer than the idle timeout. */
    @TestConfiguration(proxyBeanMethods = false)
    static class LargeSendBuffer {

        @Bean
        NettyServerCustomizer largeSendBuffer() {
            return (server) -> server.childOption(ChannelOption.SO_SNDBUF, 1 << 20);
        }
    }

    /** Reads what was sent before the server closed the connection, and whether the stream then ended. */
    private static boolean endsAfterWhatWasSent(Socket client) throws IOException {
        client.setSoTimeout(10_000);
        InputStream in = client.getInputStream();
        byte[] chunk = new byte[64 * 1024];
        try {
            while (in.read(chunk) >= 0) {
                // Bytes the kernel had already taken; the end comes after them.
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }
}
