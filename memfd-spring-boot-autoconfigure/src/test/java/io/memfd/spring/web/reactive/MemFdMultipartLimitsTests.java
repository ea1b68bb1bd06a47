package io.memfd.spring.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.memfd.MemFdFactory;
import io.memfd.spring.web.RawHttp;
import io.memfd.testing.OpenFds;

/**
 * Boot's {@code spring.webflux.multipart.*} limits hold for the memfd part reader as for Spring's default one:
 * max-disk-usage-per-part for each file part (below {@code memfd.max-size} here, so it is the one that refuses),
 * max-in-memory-size for form fields, max-parts for the request. Without them the same requests are accepted.
 */
@SpringBootTest(classes = FluxApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "memfd.max-size=1MB",
                "memfd.web.multipart.enabled=true", "spring.webflux.multipart.max-disk-usage-per-part=64KB",
                "spring.webflux.multipart.max-in-memory-size=1KB", "spring.webflux.multipart.max-parts=2" })
class MemFdMultipartLimitsTests {

    private static final String BOUNDARY = "memfd-limits-boundary";

    private static final String NOTE = "from the beach";

    @LocalServerPort
    private int port;

    @Autowired
    private MemFdFactory factory;

    private RawHttp http;

    @BeforeEach
    void client() {
        this.http = new RawHttp(this.port);
    }

    /** Parts are deleted once their exchange is complete, a moment after the response. */
    @AfterEach
    void noMemfdLeft() throws InterruptedException {
        MemFdWebFluxReceivingTests.awaitTrue(() -> this.factory.registry().count() == 0, "every part deleted");
        // The response sent the part from a descriptor of its own, which Netty closes once it has released the
        // last region: a moment after the part itself was closed.
        MemFdWebFluxReceivingTests.awaitTrue(() -> OpenFds.memfdsNamed("multipart/holiday.png") == 0,
                "the response's descriptor closed");
    }

    @Test
    void aRequestWithinTheLimitsIsStoredInAMemfd() throws Exception {
        byte[] photo = RawHttp.random(64 * 1024);

        RawHttp.Response served = post(multipart(NOTE, photo, false));

        assertThat(served.status()).as(served.toString()).isEqualTo(200);
        assertThat(served.header("X-Part")).hasValue("MemFdFilePart");
        assertThat(served.body()).isEqualTo(photo);
    }

    @Test
    void aFilePartOverMaxDiskUsagePerPartIsRefused() throws Exception {
        RawHttp.Response refused = post(multipart(NOTE, RawHttp.random(64 * 1024 + 1), false));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(413);
    }

    @Test
    void aFormFieldOverMaxInMemorySizeIsRefused() throws Exception {
        RawHttp.Response refused = post(multipart("x".repeat(1025), RawHttp.random(100), false));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(413);
    }

    @Test
    void aPartBeyondMaxPartsIsRefused() throws Exception {
        RawHttp.Response refused = post(multipart(NOTE, RawHttp.random(100), true));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(413);
    }

    /**
     * A file name is only a label: one cut in the middle of an emoji, or holding a bidirectional control, is stored
     * under a name any memfd may have, not refused.
     */
    @ParameterizedTest
    @ValueSource(strings = { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\uD83D\uDE00.png",
        "evil\u202Egnp.exe", "tab\there.png" })
    void aFileNameNoMemfdMayHaveIsStoredUnderAnotherName(String filename) throws Exception {
        byte[] photo = RawHttp.random(1024);

        RawHttp.Response served = post(multipart(NOTE, filename, photo, false));

        assertThat(served.status()).as(served.toString()).isEqualTo(200);
        assertThat(served.body()).isEqualTo(photo);
    }

    private RawHttp.Response post(byte[] body) throws Exception {
        return this.http.post("/parts", body, "Content-Type", "multipart/form-data; boundary=" + BOUNDARY);
    }

    /** A note field and a file part, and with {@code third} one more field. */
    private static byte[] multipart(String note, byte[] file, boolean third) {
        return multipart(note, "holiday.png", file, third);
    }

    private static byte[] multipart(String note, String filename, byte[] file, boolean third) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n" + note
                + "\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        if (third) {
            body.writeBytes(ascii("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"extra\"\r\n\r\n"
                    + "one too many"));
        }
        body.writeBytes(ascii("\r\n--" + BOUNDARY + "--\r\n"));
        return body.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
