package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import io.memfd.MemFd;
import io.memfd.Seal;
import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.web.RawHttp;
import io.memfd.spring.web.ServerCost;

/**
 * The same ordinary Spring MVC controllers as {@link MemFdWebMvcTests}, on Jetty ({@link RunsOnJetty}), with the
 * tests both share ({@link AbstractMvcServingTests}): the bytes, Spring's headers, ranges, HEAD, 304, and that a
 * SHRINK-sealed memfd goes to the socket as mappings, without a copy through Java memory, while anything that cannot
 * be mapped safely is copied.
 */
@SpringBootTest(classes = MvcApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "memfd.max-size=" + MemFdWebMvcJettyTests.MAX,
                "memfd.max-total-size=" + 3 * MemFdWebMvcJettyTests.MAX })
class MemFdWebMvcJettyTests extends AbstractMvcServingTests implements RunsOnJetty {

    static final int MAX = 16 << 20;

    /** Jetty's worker threads ("qtp..."), which write the responses. */
    private static final String JETTY_THREADS = "qtp";

    MemFdWebMvcJettyTests() {
        super(MAX);
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

}
