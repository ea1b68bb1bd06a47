package io.memfd.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * One kept-alive HTTP/1.1 connection carrying 1,000 requests, each sent the moment the previous response has been
 * read, mixing {@code /actuator/health} with uploads, downloads and deletes. Reactor Netty 1.3.6 and 1.3.7 (Spring
 * Boot 4.0.7's) stalled such a connection for good (reactor/reactor-netty#4361; this test stops within its first 20
 * requests there); the build brings 1.3.8 on both Boot lines. A stall shows as a request unanswered for 10 seconds.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class KeptAliveConnectionTests {

    private static final int ROUNDS = 250;

    @LocalServerPort
    private int port;

    @Test
    void aThousandMixedRequestsOnOneConnection() throws IOException {
        Random random = new Random(4361);
        try (Connection connection = new Connection(this.port)) {
            for (int round = 0; round < ROUNDS; round++) {
                byte[] content = new byte[1 + random.nextInt(64 << 10)];
                random.nextBytes(content);
                Response created = connection.exchange("POST", "/blobs?name=kept-alive-" + round, content);
                assertThat(created.status()).as(created.text()).isEqualTo(201);
                long id = JsonPath.parse(created.text()).read("$.id", Long.class);

                // 1.3.6 left a request without a body unread when it came right after a response completed on
                // another thread (health, a download); a request body arriving woke the connection, so the order of
                // this round matters: every GET and DELETE follows a GET.
                Response health = connection.exchange("GET", "/actuator/health", null);
                assertThat(health.status()).isEqualTo(200);
                assertThat(health.text()).contains("\"status\":\"UP\"");

                Response download = connection.exchange("GET", "/blobs/" + id, null);
                assertThat(download.status()).isEqualTo(200);
                assertThat(download.body()).isEqualTo(content);

                assertThat(connection.exchange("DELETE", "/blobs/" + id, null).status()).isEqualTo(204);
            }
            assertThat(connection.exchanges).isEqualTo(4 * ROUNDS);
        }
    }

    record Response(int status, Map<String, String> headers, byte[] body) {

        String text() {
            return new String(this.body, StandardCharsets.UTF_8);
        }
    }

    /** A plain HTTP/1.1 client on one socket: a request, then its whole response, and so on. */
    private static final class Connection implements AutoCloseable {

        private final Socket socket;

        private final OutputStream out;

        private final InputStream in;

        private int exchanges;

        Connection(int port) throws IOException {
            this.socket = new Socket("127.0.0.1", port);
            this.socket.setSoTimeout(10_000);
            // Each request leaves at once, as a browser's or an HTTP library's would (no Nagle delay).
            this.socket.setTcpNoDelay(true);
            this.out = this.socket.getOutputStream();
            this.in = new BufferedInputStream(this.socket.getInputStream());
        }

        Response exchange(String method, String path, byte[] body) throws IOException {
            String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + (body != null ? "Content-Length: " + body.length + "\r\n" : "") + "\r\n";
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                request.writeBytes(body);
            }
            this.out.write(request.toByteArray());
            this.out.flush();
            try {
                Response response = read();
                this.exchanges++;
                assertThat(response.headers().getOrDefault("connection", "")).as("request %d", this.exchanges)
                    .isNotEqualToIgnoringCase("close");
                return response;
            } catch (SocketTimeoutException e) {
                throw new AssertionError("request " + (this.exchanges + 1) + " (" + method + " " + path + ") got no"
                        + " answer in 10 s on the kept-alive connection: it stalled", e);
            }
        }

        private Response read() throws IOException {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            byte[] body;
            if (headers.containsKey("content-length")) {
                body = this.in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = chunked();
            } else {
                assertThat(status).as("a response without a length must have no body").isIn(204, 304);
                body = new byte[0];
            }
            return new Response(status, headers, body);
        }

        private byte[] chunked() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                body.write(this.in.readNBytes(size));
                assertThat(line()).isEmpty();
            }
            while (!line().isEmpty()) {
                // trailers
            }
            return body.toByteArray();
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = this.in.read(); b != '\n'; b = this.in.read()) {
                if (b < 0) {
                    throw new AssertionError("the server closed the kept-alive connection after " + this.exchanges
                            + " requests");
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.US_ASCII);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        @Override
        public void close() throws IOException {
            this.socket.close();
        }
    }
}
