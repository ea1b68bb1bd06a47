package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.MemFdResources;
import io.memfd.spring.web.RawHttp;
import io.memfd.spring.web.ServerCost;
import io.memfd.spring.web.TestFiles;
import io.memfd.testing.OpenFds;

/**
 * The same ordinary Spring MVC controllers as {@link MemFdWebMvcTests}, on Jetty (tag "jetty": run by the surefire
 * execution whose class path has Jetty instead of Tomcat): the bytes, Spring's headers, ranges, HEAD, 304, and that a
 * SHRINK-sealed memfd goes to the socket as mappings, without a copy through Java memory, while anything that cannot
 * be mapped safely is copied.
 */
@Tag("jetty")
@SpringBootTest(classes = MvcApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "memfd.max-size=" + MemFdWebMvcJettyTests.MAX,
                "memfd.max-total-size=" + 3 * MemFdWebMvcJettyTests.MAX })
class MemFdWebMvcJettyTests {

    static final int MAX = 16 << 20;

    private static final int SIZE = 300_000;

    /** Jetty's worker threads ("qtp..."), which write the responses. */
    private static final String JETTY_THREADS = "qtp";

    @LocalServerPort
    private int port;

    @Autowired
    private TestFiles files;

    @Autowired
    private MemFdResources resources;

    @Autowired
    private MemFdFactory factory;

    private RawHttp http;

    private byte[] content;

    @BeforeEach
    void serve(@Autowired ApplicationContext context) {
        assertThat(((WebServerApplicationContext) context).getWebServer().getClass().getSimpleName())
            .as("the server these tests run on").startsWith("Jetty");
        this.http = new RawHttp(this.port);
        this.content = RawHttp.random(SIZE);
        this.files.byName.put("report.pdf", this.resources.createSealed("report.pdf", this.content));
    }

    @AfterEach
    void closeAll() {
        this.files.closeAll();
        assertThat(this.factory.registry().count()).as("live memfds after the test").isZero();
    }

    @Test
    void aResourceIsSentWholeWithSpringsHeaders() throws Exception {
        for (String path : List.of("/files/report.pdf", "/direct/report.pdf")) {
            RawHttp.Response response = this.http.get(path);

            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.body()).as(path).isEqualTo(this.content);
            assertThat(response.header("Content-Length")).as(path).hasValue(String.valueOf(SIZE));
            assertThat(response.header("Content-Type")).as(path).hasValue("application/pdf");
            assertThat(response.header("Accept-Ranges")).as(path).hasValue("bytes");
        }
    }

    @Test
    void rangesAreSpringMvcs() throws Exception {
        RawHttp.Response one = this.http.get("/files/report.pdf", "Range", "bytes=1000-1999");
        RawHttp.Response tail = this.http.get("/files/report.pdf", "Range", "bytes=-10");
        RawHttp.Response pastTheEnd = this.http.get("/files/report.pdf", "Range", "bytes=299990-400000");
        RawHttp.Response several = this.http.get("/files/report.pdf", "Range", "bytes=0-99,-10");
        RawHttp.Response unsatisfiable = this.http.get("/files/report.pdf", "Range", "bytes=" + SIZE + "-");

        assertThat(one.status()).isEqualTo(206);
        assertThat(one.header("Content-Range")).hasValue("bytes 1000-1999/" + SIZE);
        assertThat(one.header("Content-Length")).hasValue("1000");
        assertThat(one.body()).isEqualTo(Arrays.copyOfRange(this.content, 1000, 2000));
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(this.content, SIZE - 10, SIZE));
        assertThat(pastTheEnd.header("Content-Range")).hasValue("bytes 299990-299999/" + SIZE);
        assertThat(pastTheEnd.body()).isEqualTo(Arrays.copyOfRange(this.content, 299_990, SIZE));
        assertThat(several.status()).isEqualTo(206);
        List<RawHttp.Part> parts = RawHttp.parts(several);
        assertThat(parts.get(0).bytes()).isEqualTo(Arrays.copyOfRange(this.content, 0, 100));
        assertThat(parts.get(1).bytes()).isEqualTo(Arrays.copyOfRange(this.content, SIZE - 10, SIZE));
        assertThat(unsatisfiable.status()).isEqualTo(416);
        assertThat(unsatisfiable.header("Content-Range")).hasValue("bytes */" + SIZE);
    }

    @Test
    void headAndConditionalRequestsAreSpringMvcs() throws Exception {
        RawHttp.Response head = this.http.head("/files/report.pdf");
        RawHttp.Response notModified = this.http.get("/files/report.pdf", "If-None-Match", "\"report.pdf-1\"");

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).hasValue(String.valueOf(SIZE));
        assertThat(head.header("ETag")).hasValue("\"report.pdf-1\"");
        assertThat(notModified.status()).isEqualTo(304);
    }

    @Test
    void aClosedResourceIsNotFoundAndLeavesNoDescriptor() throws Exception {
        this.files.byName.get("report.pdf").close();

        RawHttp.Response response = this.http.get("/files/report.pdf");

        assertThat(response.status()).isEqualTo(404);
        assertThat(OpenFds.memfdsNamed("report.pdf")).isZero();
    }

    /**
     * The kernel counts every write-type system call ({@code syscw}): 8 MiB from a SHRINK-sealed memfd go out in a
     * few large writes straight from its pages, where the same bytes from a {@code /dev/shm} file (Spring's own
     * converter) take one per Jetty buffer, and the heap Jetty's threads allocate stays a small fraction of the size.
     * The same holds for a single range.
     */
    @Test
    void aSealedMemfdGoesOutWithoutACopyThroughJavaMemory() throws Exception {
        int size = 8 << 20;
        byte[] big = RawHttp.random(size);
        this.files.byName.put("big.bin", this.resources.createSealed("big.bin", big));
        assertThat(this.http.get("/files/big.bin").body()).isEqualTo(big);
        assertThat(this.http.get("/shm/big.bin").body()).isEqualTo(big);

        ServerCost before = ServerCost.now(JETTY_THREADS);
        RawHttp.Response memfdResponse = this.http.get("/files/big.bin");
        ServerCost memfdCost = ServerCost.now(JETTY_THREADS).since(before);
        before = ServerCost.now(JETTY_THREADS);
        RawHttp.Response rangeResponse = this.http.get("/files/big.bin", "Range", "bytes=1-" + (size - 2));
        ServerCost rangeCost = ServerCost.now(JETTY_THREADS).since(before);
        before = ServerCost.now(JETTY_THREADS);
        RawHttp.Response fileResponse = this.http.get("/shm/big.bin");
        ServerCost fileCost = ServerCost.now(JETTY_THREADS).since(before);

        assertThat(memfdResponse.body()).isEqualTo(big);
        assertThat(rangeResponse.body()).isEqualTo(Arrays.copyOfRange(big, 1, size - 1));
        assertThat(fileResponse.body()).isEqualTo(big);
        String costs = "memfd " + memfdCost + ", range " + rangeCost + ", /dev/shm file " + fileCost;
        assertThat(memfdCost.writeCalls()).as(costs).isLessThan(fileCost.writeCalls() / 4);
        assertThat(rangeCost.writeCalls()).as(costs).isLessThan(fileCost.writeCalls() / 4);
        assertThat(memfdCost.allocatedBytes()).as(costs).isLessThan(size / 16);
        assertThat(rangeCost.allocatedBytes()).as(costs).isLessThan(size / 16);
    }

    /**
     * A memfd that can still shrink is never mapped (a shrink under the mapping would kill the JVM with SIGBUS): it is
     * copied, byte for byte, and stays as resizable as it was.
     */
    @Test
    void aMemfdThatCanStillShrinkIsCopiedNotMapped() throws Exception {
        int size = 8 << 20;
        byte[] big = RawHttp.random(size);
        MemFd memfd = this.factory.create("growing.bin");
        memfd.write(0, big);
        this.files.byName.put("growing.bin", new MemFdResource(memfd));

        ServerCost before = ServerCost.now(JETTY_THREADS);
        RawHttp.Response whole = this.http.get("/files/growing.bin");
        ServerCost cost = ServerCost.now(JETTY_THREADS).since(before);
        RawHttp.Response range = this.http.get("/files/growing.bin", "Range", "bytes=10-19");

        assertThat(whole.body()).isEqualTo(big);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(big, 10, 20));
        assertThat(memfd.seals()).doesNotContain(Seal.SHRINK);
        assertThat(cost.writeCalls()).as("copied in Jetty-buffer-sized writes: %s", cost).isGreaterThan(50);
        memfd.resize(0);
        assertThat(memfd.size()).isZero();
    }

    /** A filter that wraps the response (here Spring's ETag filter, which must see every byte) gets a copy. */
    @Test
    void aResponseWrappedByAFilterIsCopied() throws Exception {
        RawHttp.Response response = this.http.get("/etag/report.pdf");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(this.content);
        assertThat(response.header("ETag")).isPresent();
    }

    @Test
    void anUploadOverMaxSizeIs413AndLeavesNoMemfd() throws Exception {
        RawHttp.Response refused = this.http.post("/files/big", new byte[MAX + 1]);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(413);
        assertThat(refused.header("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.json().read("$.detail", String.class)).contains("memfd.max-size");
        assertThat(OpenFds.memfdsNamed("big")).isZero();
    }
}
