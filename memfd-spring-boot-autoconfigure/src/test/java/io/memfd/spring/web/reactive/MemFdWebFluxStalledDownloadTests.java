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

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.memfd.spring.web.AbstractServingTests;
import io.memfd.spring.web.RawHttp;
import io.memfd.testing.OpenFds;

/**
 * A client that stops reading a download (memfd.web.serving.idle-timeout): its connection is closed once the
 * response made no progress for that long, so that it cannot keep a deleted memfd's pages, and its share of the
 * budget, for as long as it likes.
 */
@SpringBootTest(classes = FluxApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "memfd.web.serving.idle-timeout=1s" })
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
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
            assertThat(OpenFds.memfdsNamed("stalled.bin")).isZero();
            assertThat(endsAfterWhatWasSent(client)).as("the server closed the connection").isTrue();
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
