package io.memfd.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.memfd.testing.OpenFds;

/**
 * A blob deleted while it is being downloaded: the memfd is closed at once, the download keeps its own descriptor and
 * delivers the bytes it started with, even when the closed memfd's descriptor number has been reused meanwhile.
 */
class DeleteDuringDownloadTests extends AbstractBlobAppTests {

    @Test
    void aDownloadInFlightDeliversTheOriginalBytesAfterTheBlobIsDeleted() throws Exception {
        byte[] original = random(MAX_SIZE);
        long id = this.http.created("race", original).read("$.id", Long.class);

        try (Socket socket = new Socket()) {
            // A tiny receive window keeps the server from sending more than a few kilobytes ahead of the reader.
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", this.port));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /blobs/" + id + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Length: " + original.length);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(in.readNBytes(64 * 1024));

            assertThat(this.http.delete("/blobs/" + id).statusCode()).isEqualTo(204);
            assertThat(this.factory.registry().find(id)).as("the blob's memfd is closed").isEmpty();
            assertThat(OpenFds.memfdsNamed("blob/race")).as("only the download's own descriptor is left").isEqualTo(1);
            // The closed memfd's number goes to the next descriptors opened: other blobs with other bytes.
            for (int i = 0; i < 3; i++) {
                this.http.created("reuse-" + i, random(100_000 + i));
            }

            // Read the rest at full speed: a window this small makes loopback wait for delayed ACKs.
            socket.setReceiveBufferSize(1 << 20);
            body.write(in.readAllBytes());
            assertThat(body.toByteArray()).as("the download, byte for byte").isEqualTo(original);
        }
        awaitNoDescriptor("blob/race");
    }

    @Test
    void aDownloadStartedAfterTheDeleteIs404() throws Exception {
        long id = this.http.created("gone", random(1000)).read("$.id", Long.class);

        this.http.delete("/blobs/" + id);

        assertThat(this.http.get("/blobs/" + id).statusCode()).isEqualTo(404);
        assertThat(OpenFds.memfdsNamed("blob/gone")).isZero();
    }

    /** The download's channel is closed once Netty has released its file region, just after the last byte. */
    private static void awaitNoDescriptor(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (OpenFds.memfdsNamed(name) > 0) {
            assertThat(System.nanoTime()).as("the download's descriptor was closed within 30 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static String readHead(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int next = in.read();
            assertThat(next).as("the response head ended early: " + head).isNotNegative();
            head.append((char) next);
        }
        return head.toString();
    }
}
