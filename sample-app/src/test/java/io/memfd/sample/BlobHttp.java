package io.memfd.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;

/** A real HTTP client for the sample app on its port: the requests the tests make, and multipart parsing. */
final class BlobHttp {

    private final HttpClient http;
    private final String base;
    private final int port;

    BlobHttp(int port) {
        this(HttpClient.newHttpClient(), "http", port);
    }

    /** Over TLS, with a client that trusts the server's certificate. */
    BlobHttp(HttpClient https, int port) {
        this(https, "https", port);
    }

    private BlobHttp(HttpClient http, String scheme, int port) {
        this.http = http;
        this.base = scheme + "://localhost:" + port;
        this.port = port;
    }

    URI uri(String path) {
        return URI.create(this.base + path);
    }

    /** A request; the client keeps connections alive and reuses them (KeptAliveConnectionTests tests that alone). */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path));
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request);
    }

    /**
     * Sends raw bytes of HTTP/1.1 on a new connection and reads what comes back until the server closes it or goes
     * quiet; for requests that {@link HttpClient} cannot make, such as headers promising a body that never comes.
     */
    String exchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", this.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            try {
                for (int read = socket.getInputStream().read(chunk); read >= 0;
                        read = socket.getInputStream().read(chunk)) {
                    response.write(chunk, 0, read);
                }
            } catch (SocketTimeoutException e) {
                // The connection stayed open (kept alive): what arrived is the answer.
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    /** Uploads with a Content-Length; returns the response (201 with the record, or a problem). */
    HttpResponse<byte[]> upload(String name, byte[] content) throws IOException, InterruptedException {
        return send(request("/blobs?name=" + name).POST(HttpRequest.BodyPublishers.ofByteArray(content)));
    }

    /** Uploads a created blob and returns its record. */
    DocumentContext created(String name, byte[] content) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = upload(name, content);
        assertThat(response.statusCode()).as(text(response)).isEqualTo(201);
        return json(response);
    }

    HttpResponse<byte[]> delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    DocumentContext json(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get(path);
        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        return json(response);
    }

    double metric(String name) throws IOException, InterruptedException {
        return json("/actuator/metrics/" + name).read("$.measurements[0].value", Double.class);
    }

    static DocumentContext json(HttpResponse<byte[]> response) {
        return JsonPath.parse(text(response));
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** The parts of a {@code multipart/byteranges} body: each part's Content-Range and bytes. */
    static List<Part> parts(HttpResponse<byte[]> response) {
        String contentType = response.headers().firstValue("Content-Type").orElseThrow();
        assertThat(contentType).startsWith("multipart/byteranges;").contains("boundary=");
        byte[] delimiter = ("--" + contentType.substring(contentType.indexOf('=') + 1)).getBytes(
                StandardCharsets.US_ASCII);
        byte[] body = response.body();
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        while (at >= 0 && !startsWith(body, at + delimiter.length, "--")) {
            int headersStart = at + delimiter.length + 2;
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headersStart);
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.US_ASCII);
            String range = headers.lines().filter(line -> line.startsWith("Content-Range: ")).findFirst()
                .orElseThrow().substring("Content-Range: ".length());
            String[] span = range.substring("bytes ".length(), range.indexOf('/')).split("-");
            int length = (int) (Long.parseLong(span[1]) - Long.parseLong(span[0]) + 1);
            int dataStart = headersEnd + 4;
            parts.add(new Part(range, Arrays.copyOfRange(body, dataStart, dataStart + length)));
            assertThat(startsWith(body, dataStart + length, "\r\n")).as("CRLF after part " + range).isTrue();
            at = indexOf(body, delimiter, dataStart + length);
            assertThat(at).as("delimiter right after part " + range).isEqualTo(dataStart + length + 2);
        }
        assertThat(at).as("closing delimiter").isNotNegative();
        return parts;
    }

    private static boolean startsWith(byte[] body, int at, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return at + bytes.length <= body.length
                && Arrays.equals(body, at, at + bytes.length, bytes, 0, bytes.length);
    }

    private static int indexOf(byte[] body, byte[] pattern, int from) {
        for (int i = from; i <= body.length - pattern.length; i++) {
            if (Arrays.equals(body, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        return -1;
    }

    record Part(String contentRange, byte[] bytes) {
    }
}
