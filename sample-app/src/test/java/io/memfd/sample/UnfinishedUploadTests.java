package io.memfd.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.jayway.jsonpath.DocumentContext;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.memfd.MemFdFactory;
import io.memfd.testing.OpenFds;
import io.memfd.testing.Trickle;

/**
 * Issue 12, F2: an upload whose client goes silent half-way holds a memfd (memory and budget). It is listed by
 * {@code GET /blobs} and {@code /actuator/memfd} as {@code receiving}, {@code DELETE} stops it, and without either it
 * is dropped after {@code memfd.web.upload-idle-timeout}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "memfd.web.upload-idle-timeout=2s")
class UnfinishedUploadTests {

    @LocalServerPort
    private int port;

    @Autowired
    private MemFdFactory factory;

    @Test
    void aStalledUploadIsListedAndCanBeDeleted() throws Exception {
        BlobHttp http = new BlobHttp(this.port);
        try (Socket upload = startUpload("slow.bin", 1 << 20, 70_000)) {
            long id;
            // A byte every 100 ms while the test looks: slow, not stalled, however busy the machine is.
            try (Trickle trickle = new Trickle(upload.getOutputStream())) {
                awaitTrue(() -> OpenFds.memfdsNamed("blob/slow.bin") == 1, "the upload's memfd exists");
                DocumentContext list = awaitReceiving(http, 70_000);
                id = list.read("$[0].id", Long.class);
                assertThat(list.read("$[0].name", String.class)).isEqualTo("slow.bin");
                assertThat(list.read("$[0].sha256", String.class)).isNull();
                DocumentContext endpoint = http.json("/actuator/memfd");
                assertThat(endpoint.read("$.buffers[?(@.name == 'blob/slow.bin')].state", List.class))
                    .containsExactly("receiving");

                assertThat(http.delete("/blobs/" + id).statusCode()).isEqualTo(204);
            }

            assertThat(OpenFds.memfdsNamed("blob/slow.bin")).as("the memfd is closed at once").isZero();
            assertThat(this.factory.registry().usedBytes()).isZero();
            assertThat(readResponse(upload)).startsWith("HTTP/1.1 409").contains("application/problem+json");
            assertThat(http.json("/blobs").read("$", List.class)).isEmpty();
        }
    }

    @Test
    void aStalledUploadIsDroppedAfterTheIdleTimeout() throws Exception {
        BlobHttp http = new BlobHttp(this.port);
        try (Socket upload = startUpload("silent.bin", 1 << 20, 50_000)) {
            String response = readResponse(upload);

            assertThat(response).startsWith("HTTP/1.1 408").contains("memfd.web.upload-idle-timeout");
        }
        assertThat(OpenFds.memfdsNamed("blob/silent.bin")).isZero();
        assertThat(this.factory.registry().count()).isZero();
        assertThat(http.json("/blobs").read("$", List.class)).isEmpty();
    }

    /** Sends the head of an upload of {@code length} bytes and the first {@code sent} of them, then nothing. */
    private Socket startUpload(String name, int length, int sent) throws IOException {
        Socket socket = new Socket("127.0.0.1", this.port);
        socket.setSoTimeout(60_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /blobs?name=" + name + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[sent]);
        out.flush();
        return socket;
    }

    private static DocumentContext awaitReceiving(BlobHttp http, long bytes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (;;) {
            DocumentContext list = http.json("/blobs");
            List<Object> receiving = list.read("$[?(@.state == 'receiving' && @.size >= " + bytes + ")]");
            if (!receiving.isEmpty()) {
                return list;
            }
            assertThat(System.nanoTime()).as("the upload listed as receiving within 20 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** What the server answered on the upload's connection, head and body. */
    private static String readResponse(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        for (int read = in.read(chunk); read > 0; read = in.read(chunk)) {
            response.write(chunk, 0, read);
            String text = response.toString(StandardCharsets.UTF_8);
            if (text.contains("\r\n\r\n") && text.trim().endsWith("}")) {
                break;
            }
        }
        return response.toString(StandardCharsets.UTF_8);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 20 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
