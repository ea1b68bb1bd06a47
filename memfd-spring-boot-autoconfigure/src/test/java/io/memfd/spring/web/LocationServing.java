package io.memfd.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.memfd.spring.io.MemFdResources;
import io.memfd.spring.io.MemFdUploads;

/**
 * What WebFlux and Spring MVC (Tomcat, Jetty) tests check alike of a {@code memfd:} location returned from a controller
 * ({@code /location/{name}} of {@link TestFilesController}).
 */
public final class LocationServing {

    private LocationServing() {
    }

    /**
     * A client uploading under the name the application serves does not stand in for it with the bytes it has sent
     * so far (unsealed, perhaps never finished): the finished buffer is served, and where there is none, nothing.
     */
    public static void anUploadStillArrivingIsNotServed(RawHttp http, TestFiles files, MemFdResources resources,
            MemFdUploads uploads) throws IOException {
        byte[] terms = "the terms, sealed".getBytes(StandardCharsets.UTF_8);
        files.byName.put("terms.html", resources.createSealed("terms.html", terms));
        try (Socket first = startUpload(http, "terms.html", uploads, 1);
                Socket second = startUpload(http, "fresh.html", uploads, 2)) {
            RawHttp.Response served = http.get("/location/terms.html", "Accept", "*/*");
            RawHttp.Response unfinished = http.get("/location/fresh.html");

            assertThat(served.status()).isEqualTo(200);
            assertThat(served.body()).isEqualTo(terms);
            assertThat(served.header("Content-Type")).hasValueSatisfying((type) -> assertThat(type)
                .startsWith("text/html"));
            assertThat(unfinished.status()).as("only an upload still arriving has the name").isEqualTo(404);
        }
        await().until(() -> uploads.inProgress().isEmpty());
    }

    /** Sends the head of an upload of 100,000 bytes and the first ten, and waits until it is the {@code n}th. */
    private static Socket startUpload(RawHttp http, String name, MemFdUploads uploads, int n) throws IOException {
        Socket socket = http.open();
        OutputStream out = socket.getOutputStream();
        out.write(RawHttp.head("POST", "/files/" + name, 100_000));
        out.write("0123456789".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        await().until(() -> uploads.inProgress().size() == n && uploads.inProgress().get(n - 1).receivedBytes() == 10);
        return socket;
    }
}
