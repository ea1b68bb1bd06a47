package io.memfd.spring.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.net.SocketFactory;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;

import io.memfd.testing.Trickle;

/**
 * HTTP/1.1 over a plain socket, one connection per request ({@code Connection: close}): the tests see exactly what the
 * server sent (status, headers, body bytes), can send bodies slowly or stop half-way, and never reuse a connection
 * (Reactor Netty 1.3.6 can stall a kept-alive one, reactor/reactor-netty#4361).
 */
public final class RawHttp {

    private final SocketFactory sockets;
    private final int port;

    public RawHttp(int port) {
        this(SocketFactory.getDefault(), port);
    }

    public RawHttp(SocketFactory sockets, int port) {
        this.sockets = sockets;
        this.port = port;
    }

    /** {@code size} random bytes, the same for the same size. */
    public static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new java.util.Random(size).nextBytes(bytes);
        return bytes;
    }

    public Response get(String path, String... headers) throws IOException {
        return exchange("GET", path, null, headers);
    }

    public Response head(String path, String... headers) throws IOException {
        return exchange("HEAD", path, null, headers);
    }

    public Response post(String path, byte[] body, String... headers) throws IOException {
        return exchange("POST", path, body, headers);
    }

    /** Sends a request with {@code headers} given as name, value, name, value... and reads the whole response. */
    public Response exchange(String method, String path, byte[] body, String... headers) throws IOException {
        try (Socket socket = open()) {
            OutputStream out = socket.getOutputStream();
            out.write(head(method, path, body == null ? -1 : body.length, headers));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return Response.read(socket.getInputStream(), method.equals("HEAD"));
        }
    }

    /** A connection of the test's own, for requests that stall or stop half-way; the caller closes it. */
    public Socket open() throws IOException {
        Socket socket = this.sockets.createSocket("127.0.0.1", this.port);
        socket.setSoTimeout(60_000);
        return socket;
    }

    /** Whether the peer closes the connection (end of stream) within 20 s, with nothing more sent. */
    public static boolean atEndOfStream(Socket socket) throws IOException {
        socket.setSoTimeout(20_000);
        return socket.getInputStream().read() == -1;
    }

    /**
     * Sends {@code head}, then a byte every 100 ms ({@link Trickle}) until the server answers: the answer, and how long
     * after the head it came.
     */
    public static Trickled trickleUntilAnswered(Socket socket, byte[] head) throws IOException, InterruptedException {
        OutputStream out = socket.getOutputStream();
        out.write(head);
        out.flush();
        long sentAt = System.nanoTime();
        try (Trickle trickle = new Trickle(out)) {
            Response answer = Response.read(socket.getInputStream(), false);
            return new Trickled(answer, System.nanoTime() - sentAt);
        }
    }

    /** What {@link #trickleUntilAnswered} got: the answer, and the nanoseconds from the head to it. */
    public record Trickled(Response answer, long afterNanos) {
    }

    /** The request line and headers, asking to close after it; a Content-Length when {@code length} is not negative. */
    public static byte[] head(String method, String path, long length, String... headers) {
        return head(method, path, length, true, headers);
    }

    /** As {@link #head(String, String, long, String...)}, on a connection the client would keep alive. */
    public static byte[] keptAliveHead(String method, String path, long length) {
        return head(method, path, length, false);
    }

    private static byte[] head(String method, String path, long length, boolean close, String... headers) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + (close ? "Connection: close\r\n" : ""));
        if (length >= 0) {
            head.append("Content-Length: ").append(length).append("\r\n");
        }
        for (int i = 0; i < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The parts of a {@code multipart/byteranges} body: each part's Content-Range and bytes. */
    public static List<Part> parts(Response response) {
        String contentType = response.header("Content-Type").orElseThrow();
        if (!contentType.startsWith("multipart/byteranges;")) {
            throw new AssertionError("not multipart/byteranges: " + contentType);
        }
        byte[] delimiter = ("\r\n--" + contentType.substring(contentType.indexOf("boundary=") + 9))
            .getBytes(StandardCharsets.US_ASCII);
        // The first delimiter has no CRLF before it: pretend it had, so that every part ends where a delimiter begins.
        byte[] body = concat(new byte[] { '\r', '\n' }, response.body());
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        while (at >= 0 && body[at + delimiter.length] != '-') {
            int headersStart = at + delimiter.length + 2;
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headersStart);
            String partHeaders = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.US_ASCII);
            String range = partHeaders.lines().filter((line) -> line.startsWith("Content-Range: ")).findFirst()
                .orElseThrow().substring("Content-Range: ".length());
            int next = indexOf(body, delimiter, headersEnd + 4);
            parts.add(new Part(range, Arrays.copyOfRange(body, headersEnd + 4, next)));
            at = next;
        }
        if (at < 0) {
            throw new AssertionError("no closing delimiter");
        }
        return parts;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static int indexOf(byte[] body, byte[] pattern, int from) {
        for (int i = from; i <= body.length - pattern.length; i++) {
            if (Arrays.equals(body, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        return -1;
    }

    /** One part of a multipart/byteranges body. */
    public record Part(String contentRange, byte[] bytes) {
    }

    /** A response: status, headers (names in lower case) and the body as sent (chunked bodies decoded). */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {

        public Optional<String> header(String name) {
            List<String> values = this.headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? Optional.empty() : Optional.of(values.get(0));
        }

        public String text() {
            return new String(this.body, StandardCharsets.UTF_8);
        }

        public DocumentContext json() {
            return JsonPath.parse(text());
        }

        @Override
        public String toString() {
            String body = (this.body.length < 2000) ? text() : this.body.length + " bytes";
            return this.status + " " + this.headers + " " + body;
        }

        public static Response read(InputStream in, boolean head) throws IOException {
            String[] lines = readHead(in).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, List<String>> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        (name) -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
            byte[] body;
            if (head || status == 304 || status == 204) {
                body = new byte[0];
            } else if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length").get(0)));
            } else if (headers.getOrDefault("transfer-encoding", List.of()).contains("chunked")) {
                body = dechunk(in);
            } else {
                body = in.readAllBytes();
            }
            return new Response(status, headers, body);
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!endsWithBlankLine(head)) {
                int next = in.read();
                if (next < 0) {
                    throw new IOException("The connection closed before the end of the response head: " + head);
                }
                head.write(next);
            }
            return head.toString(StandardCharsets.ISO_8859_1).trim();
        }

        private static boolean endsWithBlankLine(ByteArrayOutputStream head) {
            byte[] bytes = head.toByteArray();
            return bytes.length >= 4 && Arrays.equals(bytes, bytes.length - 4, bytes.length,
                    new byte[] { '\r', '\n', '\r', '\n' }, 0, 4);
        }

        private static byte[] dechunk(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (;;) {
                StringBuilder size = new StringBuilder();
                for (int c = in.read(); c != '\n'; c = in.read()) {
                    if (c < 0) {
                        throw new IOException("The connection closed inside a chunked body");
                    }
                    size.append((char) c);
                }
                int length = Integer.parseInt(size.toString().trim().split(";")[0], 16);
                if (length == 0) {
                    return body.toByteArray();
                }
                body.write(in.readNBytes(length));
                in.readNBytes(2);
            }
        }
    }
}
