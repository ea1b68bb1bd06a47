package io.memfd.spring.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.jayway.jsonpath.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.memfd.MemFdFactory;
import io.memfd.spring.io.MemFdUpload;
import io.memfd.spring.io.MemFdUploads;
import io.memfd.spring.web.TestFiles;
import io.memfd.spring.web.RawHttp;
import io.memfd.testing.OpenFds;
import io.memfd.testing.Trickle;

/**
 * Uploads into sealed memfds from ordinary WebFlux controllers ({@code ReactiveMemFdResources}) and as multipart files
 * ({@code memfd.web.multipart.enabled=true}), over real HTTP: limits answered 413 and 507, stalled and cancelled
 * uploads, and in every case no memfd left behind.
 */
@SpringBootTest(classes = FluxApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "memfd.max-size=" + MemFdWebFluxReceivingTests.MAX,
                "memfd.max-total-size=" + MemFdWebFluxReceivingTests.BUDGET, "memfd.web.upload-idle-timeout=1s",
                "memfd.web.multipart.enabled=true", "management.endpoints.web.exposure.include=memfd" })
@ExtendWith(OutputCaptureExtension.class)
class MemFdWebFluxReceivingTests {

    static final int MAX = 2 << 20;

    /**
     * Room for three bodies of {@link #MAX} bytes, each charged its pages and about 1 KiB for the kernel's file
     * objects, but not for a fourth of one byte, which is charged a page and the same 1 KiB.
     */
    static final int BUDGET = 3 * MAX + 4096;

    @LocalServerPort
    private int port;

    @Autowired
    private TestFiles files;

    @Autowired
    private MemFdFactory factory;

    @Autowired
    private MemFdUploads uploads;

    private RawHttp http;

    @BeforeEach
    void client() {
        this.http = new RawHttp(this.port);
    }

    @AfterEach
    void nothingLeftBehind() throws InterruptedException {
        this.files.closeAll();
        awaitTrue(() -> this.factory.registry().count() == 0, "every memfd closed");
        // A response's own descriptor is closed a moment after its last byte went out; the budget comes back then.
        awaitTrue(() -> this.factory.registry().usedBytes() == 0, "the budget given back");
        assertThat(this.uploads.inProgress()).isEmpty();
    }

    @Test
    void aBodyIsStoredSealedAndServedBack() throws Exception {
        byte[] content = RawHttp.random(MAX);

        RawHttp.Response created = this.http.post("/files/report.pdf", content);

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.text()).isEqualTo(String.valueOf(MAX));
        assertThat(this.files.get("report.pdf").getMemFd().seals()).as("the factory's default seals")
            .containsAll(this.factory.defaultSeals());
        RawHttp.Response served = this.http.get("/files/report.pdf");
        assertThat(served.body()).isEqualTo(content);
        assertThat(served.header("Content-Type")).hasValue("application/pdf");
    }

    @Test
    void anUploadUnderANameNoMemfdMayHaveIs400AndLeavesNoMemfd() throws Exception {
        String name = "x".repeat(300);
        RawHttp.Response refused = this.http.post("/files/" + name, new byte[10]);

        assertProblem(refused, 400, "Invalid memfd name");
        assertThat(OpenFds.memfdsNamed(name.substring(0, 249))).isZero();
    }

    @Test
    void aBodyOverMaxSizeIs413AndLeavesNoMemfd() throws Exception {
        RawHttp.Response refused = this.http.post("/files/big", new byte[MAX + 1]);

        assertProblem(refused, 413, "memfd.max-size");
        assertThat(refused.json().read("$.limit", Long.class)).isEqualTo(MAX);
        assertThat(refused.json().read("$.instance", String.class)).isEqualTo("/files/big");
        assertThat(OpenFds.memfdsNamed("big")).isZero();
        assertThat(this.factory.registry().count()).isZero();
    }

    @Test
    void aBodyPastTheBudgetIs507AndLeavesNoMemfd() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(this.http.post("/files/full-" + i, new byte[MAX]).status()).isEqualTo(201);
        }

        RawHttp.Response refused = this.http.post("/files/one-too-many", new byte[1]);

        assertProblem(refused, 507, "memfd.max-total-size");
        assertThat(OpenFds.memfdsNamed("one-too-many")).isZero();
        assertThat(this.factory.registry().count()).isEqualTo(3);
        this.files.byName.remove("full-0").close();
        assertThat(this.http.post("/files/room-again", new byte[1]).status()).isEqualTo(201);
    }

    /**
     * F2: a client that goes silent half-way holds its memfd only until the idle timeout, visibly meanwhile. While
     * the test looks, the client sends a byte every 100 ms (a busy machine must not time the upload out early).
     */
    @Test
    void aStalledUploadIsDroppedAfterTheIdleTimeoutAndIsVisibleUntilThen() throws Exception {
        try (Socket socket = this.http.open()) {
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.keptAliveHead("POST", "/files/stalled", MAX));
            out.write(new byte[100_000]);
            out.flush();
            Trickle trickle = new Trickle(out);
            try (trickle) {
                awaitTrue(() -> received("stalled") >= 100_000, "the first bytes arrived");

                DocumentContext endpoint = this.http.get("/actuator/memfd").json();
                assertThat(endpoint.read("$.uploads[0].name", String.class)).isEqualTo("stalled");
                assertThat(endpoint.read("$.uploads[0].receivedBytes", Long.class)).isGreaterThanOrEqualTo(100_000);
                assertThat(endpoint.read("$.buffers[?(@.name == 'stalled')].state", List.class))
                    .containsExactly("receiving");
                assertThat(OpenFds.memfdsNamed("stalled")).isEqualTo(1);
            }
            RawHttp.Response dropped = RawHttp.Response.read(socket.getInputStream(), false);

            assertThat(System.nanoTime() - trickle.lastByteSentAt()).as("dropped after the idle timeout, not before")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
            assertProblem(dropped, 408, "memfd.web.upload-idle-timeout");
            assertThat(dropped.header("Connection")).hasValue("close");
            assertThat(RawHttp.atEndOfStream(socket)).as("the server closed the connection").isTrue();
        }
        assertThat(OpenFds.memfdsNamed("stalled")).isZero();
        assertThat(this.uploads.inProgress()).isEmpty();
    }

    /**
     * A client that sends a byte every 100 ms is never idle, but averages far below memfd.web.upload-minimum-rate
     * (1 KB/s by default): its upload is dropped once it has run for the idle timeout, answered 408.
     */
    @Test
    void aTricklingUploadIsDroppedBelowTheMinimumRate() throws Exception {
        try (Socket socket = this.http.open()) {
            RawHttp.Trickled trickled = RawHttp.trickleUntilAnswered(socket,
                    RawHttp.keptAliveHead("POST", "/files/trickling", MAX));

            assertThat(trickled.afterNanos()).as("not before the idle timeout")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
            assertProblem(trickled.answer(), 408, "memfd.web.upload-minimum-rate");
        }
        assertThat(OpenFds.memfdsNamed("trickling")).isZero();
        assertThat(this.uploads.inProgress()).isEmpty();
    }

    /** Nor a server error in the log: nobody is left to answer, and a log line per dropped upload is a flood. */
    @Test
    void anUploadWhoseClientGoesAwayHalfWayLeavesNoMemfd(CapturedOutput output) throws Exception {
        try (Socket socket = this.http.open()) {
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head("POST", "/files/abandoned", MAX));
            out.write(new byte[300_000]);
            out.flush();
            try (Trickle trickle = new Trickle(out)) {
                awaitTrue(() -> received("abandoned") >= 300_000, "the first bytes arrived");
            }
        }
        awaitTrue(() -> OpenFds.memfdsNamed("abandoned") == 0, "the memfd closed when the client left");
        assertThat(this.files.byName).doesNotContainKey("abandoned");
        Thread.sleep(500);
        assertThat(output.getAll()).as("the log").doesNotContain("/files/abandoned").doesNotContain("abandoned'");
    }

    @Test
    void anUploadCancelledByTheApplicationIs409AndLeavesNoMemfd() throws Exception {
        try (Socket socket = this.http.open()) {
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head("POST", "/files/cancelled", MAX));
            out.write(new byte[50_000]);
            out.flush();
            try (Trickle trickle = new Trickle(out)) {
                awaitTrue(() -> received("cancelled") >= 50_000, "the first bytes arrived");
                long id = this.uploads.inProgress().get(0).id();

                assertThat(this.uploads.cancel(id)).isTrue();
            }

            assertThat(OpenFds.memfdsNamed("cancelled")).as("closed at once").isZero();
            assertProblem(RawHttp.Response.read(socket.getInputStream(), false), 409, "cancelled");
        }
        assertThat(this.uploads.cancel(12345)).isFalse();
    }

    /** memfd.web.multipart.enabled: the file part is a memfd, no file appears in java.io.tmpdir. */
    @Test
    void aMultipartFileIsAMemfdAndNoFileIsCreated() throws Exception {
        byte[] photo = RawHttp.random(1 << 20);
        Set<String> before = tmpdirEntries();

        RawHttp.Response served = this.http.post("/parts", multipart(photo), "Content-Type",
                "multipart/form-data; boundary=" + BOUNDARY);

        assertThat(served.status()).as(served.toString()).isEqualTo(200);
        assertThat(served.header("X-Part")).hasValue("MemFdFilePart");
        assertThat(served.header("X-Filename")).hasValue("holiday.png");
        assertThat(served.header("X-Note")).hasValue("from the beach");
        assertThat(served.header("Content-Type")).hasValue("image/png");
        assertThat(served.body()).as("the part served back").isEqualTo(photo);
        Set<String> created = tmpdirEntries();
        created.removeAll(before);
        assertThat(created).as("new entries in java.io.tmpdir").noneMatch((name) -> name.contains("multipart"));
        awaitTrue(() -> OpenFds.memfdsNamed("multipart/holiday.png") == 0, "the part deleted with its exchange");
    }

    @Test
    void aMultipartFileOverMaxSizeIs413AndLeavesNoMemfd() throws Exception {
        RawHttp.Response refused = this.http.post("/parts", multipart(new byte[MAX + 1]), "Content-Type",
                "multipart/form-data; boundary=" + BOUNDARY);

        assertProblem(refused, 413, "memfd.max-size");
        assertThat(OpenFds.memfdsNamed("multipart/holiday.png")).isZero();
    }

    private static final String BOUNDARY = "memfd-test-boundary";

    private static byte[] multipart(byte[] file) {
        String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nfrom the beach\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"holiday.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n";
        String tail = "\r\n--" + BOUNDARY + "--\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[headBytes.length + file.length + tail.length()];
        System.arraycopy(headBytes, 0, body, 0, headBytes.length);
        System.arraycopy(file, 0, body, headBytes.length, file.length);
        System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, body, headBytes.length + file.length,
                tail.length());
        return body;
    }

    /** java.io.tmpdir's entries, and those of Spring's multipart directories in it, where temporary parts go. */
    private static Set<String> tmpdirEntries() throws IOException {
        Set<String> entries = new HashSet<>();
        Path tmpdir = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> top = Files.list(tmpdir)) {
            for (Path entry : (Iterable<Path>) top::iterator) {
                entries.add(entry.getFileName().toString());
                if (entry.getFileName().toString().startsWith("spring-multipart") && Files.isDirectory(entry)) {
                    try (Stream<Path> inner = Files.list(entry)) {
                        inner.forEach((file) -> entries.add(entry.getFileName() + "/multipart/" + file.getFileName()));
                    }
                }
            }
        }
        return entries;
    }

    private long received(String name) {
        return this.uploads.inProgress().stream().filter((upload) -> upload.name().equals(name))
            .mapToLong(MemFdUpload::receivedBytes).findFirst().orElse(-1);
    }

    private static void assertProblem(RawHttp.Response response, int status, String detail) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).hasValue("application/problem+json");
        assertThat(response.json().read("$.status", Integer.class)).isEqualTo(status);
        assertThat(response.json().read("$.detail", String.class)).contains(detail);
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 20 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
