package io.memfd.spring.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.MappedByteBuffer;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import io.memfd.HugePageSize;
import io.memfd.MemFd;
import io.memfd.MemFdOptions;
import io.memfd.Seal;
import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.web.AbstractServingTests;
import io.memfd.spring.web.LocationServing;
import io.memfd.spring.web.RawHttp;
import io.memfd.spring.web.ServerCost;
import io.memfd.testing.OpenFds;

/**
 * A {@link MemFdResource} returned from ordinary WebFlux controllers and a functional endpoint, over real HTTP on
 * Reactor Netty: the bytes, Spring's headers, ranges, HEAD, 304, and the proof that {@code sendfile} is the path taken.
 */
@SpringBootTest(classes = FluxApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=reactive")
class MemFdWebFluxServingTests extends AbstractServingTests {

    MemFdWebFluxServingTests() {
        super("photo.png");
    }

    @Test
    void aMemfdLocationIsServedFromItsFinishedBufferNeverFromAnUploadStillArriving() throws Exception {
        LocationServing.anUploadStillArrivingIsNotServed(this.http, this.files, this.resources, this.uploads);
    }

    @Test
    void aResourceInAResponseEntityIsSentWhole() throws Exception {
        RawHttp.Response response = this.http.get("/files/photo.png");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(this.content);
        assertThat(response.header("Content-Length")).hasValue(String.valueOf(SIZE));
        assertThat(response.header("Content-Type")).as("from the name").hasValue("image/png");
        assertThat(response.header("Accept-Ranges")).hasValue("bytes");
        assertThat(response.header("ETag")).hasValue("\"photo.png-1\"");
    }

    @Test
    void aResourceReturnedDirectlyInAMonoOrFromAFunctionalEndpointIsSentWhole() throws Exception {
        for (String path : List.of("/direct/photo.png", "/mono/photo.png", "/fn/photo.png")) {
            RawHttp.Response response = this.http.get(path);

            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.body()).as(path).isEqualTo(this.content);
            assertThat(response.header("Content-Type")).as(path).hasValue("image/png");
            assertThat(response.header("Content-Length")).as(path).hasValue(String.valueOf(SIZE));
        }
    }

    @Test
    void anEmptyResourceIsSentEmpty() throws Exception {
        this.files.byName.put("empty", this.resources.createSealed("empty", new byte[0]));

        RawHttp.Response response = this.http.get("/files/empty");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(response.header("Content-Length")).hasValue("0");
        assertThat(response.header("Content-Type")).hasValue("application/octet-stream");
    }

    @Test
    void oneRangeIs206WithTheseBytes() throws Exception {
        RawHttp.Response middle = this.http.get("/files/photo.png", "Range", "bytes=1000-1999");
        RawHttp.Response suffix = this.http.get("/direct/photo.png", "Range", "bytes=-500");

        assertThat(middle.status()).isEqualTo(206);
        assertThat(middle.header("Content-Range")).hasValue("bytes 1000-1999/" + SIZE);
        assertThat(middle.header("Content-Length")).hasValue("1000");
        assertThat(middle.body()).isEqualTo(slice(1000, 2000));
        assertThat(suffix.status()).isEqualTo(206);
        assertThat(suffix.body()).isEqualTo(slice(SIZE - 500, SIZE));
    }

    @Test
    void severalRangesAreMultipartByteranges() throws Exception {
        RawHttp.Response response = this.http.get("/files/photo.png", "Range", "bytes=0-99,5000-5999,-10");

        assertThat(response.status()).isEqualTo(206);
        assertThat(response.header("Content-Length")).hasValue(String.valueOf(response.body().length));
        List<RawHttp.Part> parts = RawHttp.parts(response);
        assertThat(parts).extracting(RawHttp.Part::contentRange).containsExactly("bytes 0-99/" + SIZE,
                "bytes 5000-5999/" + SIZE, "bytes " + (SIZE - 10) + "-" + (SIZE - 1) + "/" + SIZE);
        assertThat(parts.get(0).bytes()).isEqualTo(slice(0, 100));
        assertThat(parts.get(1).bytes()).isEqualTo(slice(5000, 6000));
        assertThat(parts.get(2).bytes()).isEqualTo(slice(SIZE - 10, SIZE));
    }

    @Test
    void rangesThatCannotBeServedAre416() throws Exception {
        for (String range : List.of("bytes=" + SIZE + "-", "bytes=abc", "bytes=0-299999,0-299999")) {
            RawHttp.Response response = this.http.get("/files/photo.png", "Range", range);

            assertThat(response.status()).as(range).isEqualTo(416);
            assertThat(response.header("Content-Range")).as(range).hasValue("bytes */" + SIZE);
            assertThat(response.header("Content-Type")).as(range).hasValue("application/problem+json");
            assertThat(response.json().read("$.status", Integer.class)).isEqualTo(416);
        }
    }

    @Test
    void headSendsTheHeadersAlone() throws Exception {
        RawHttp.Response whole = this.http.head("/files/photo.png");
        RawHttp.Response range = this.http.head("/files/photo.png", "Range", "bytes=0-9");

        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.header("Content-Length")).hasValue(String.valueOf(SIZE));
        assertThat(whole.header("Content-Type")).hasValue("image/png");
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.header("Content-Range")).hasValue("bytes 0-9/" + SIZE);
    }

    @Test
    void conditionalRequestsAreSpringsAndIfRangeIsHonoured() throws Exception {
        RawHttp.Response notModified = this.http.get("/files/photo.png", "If-None-Match", "\"photo.png-1\"");
        RawHttp.Response changed = this.http.get("/files/photo.png", "If-None-Match", "\"other\"");
        RawHttp.Response otherVersion = this.http.get("/files/photo.png", "Range", "bytes=0-9", "If-Range",
                "\"other\"");
        RawHttp.Response thisVersion = this.http.get("/files/photo.png", "Range", "bytes=0-9", "If-Range",
                "\"photo.png-1\"");
        RawHttp.Response thisDate = this.http.get("/files/photo.png", "Range", "bytes=0-9", "If-Range",
                "Sun, 01 Nov 2026 10:00:00 GMT");

        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.header("ETag")).hasValue("\"photo.png-1\"");
        assertThat(changed.status()).isEqualTo(200);
        assertThat(otherVersion.status()).isEqualTo(200);
        assertThat(otherVersion.body()).isEqualTo(this.content);
        assertThat(thisVersion.status()).isEqualTo(206);
        assertThat(thisVersion.body()).isEqualTo(slice(0, 10));
        assertThat(thisDate.status()).isEqualTo(206);
    }

    @Test
    void aClosedResourceIs404AndLeavesNoDescriptor() throws Exception {
        this.files.byName.get("photo.png").close();

        RawHttp.Response response = this.http.get("/files/photo.png");

        assertThat(response.status()).isEqualTo(404);
        assertThat(OpenFds.memfdsNamed("photo.png")).isZero();
    }

    /**
     * The kernel counts every write-type system call ({@code syscw}): sending 8 MiB with {@code sendfile} takes a few
     * dozen, copying it through buffers takes hundreds; and the event loops allocate next to nothing.
     */
    @Test
    void theBytesGoOutWithSendfileNotThroughTheHeap() throws Exception {
        int size = 8 << 20;
        byte[] big = RawHttp.random(size);
        try (MemFd memfd = MemFd.create("big.bin")) {
            memfd.write(0, big);
            memfd.makeImmutable();
            this.files.byName.put("big.bin", new MemFdResource(memfd.dup()));
            assertThat(this.http.get("/files/big.bin").body()).isEqualTo(big);
            assertThat(this.http.get("/bytes/big.bin").body()).isEqualTo(big);

            ServerCost before = ServerCost.now("-http-");
            RawHttp.Response zeroCopy = this.http.get("/files/big.bin");
            ServerCost memfdCost = ServerCost.now("-http-").since(before);
            before = ServerCost.now("-http-");
            RawHttp.Response copied = this.http.get("/bytes/big.bin");
            ServerCost copyCost = ServerCost.now("-http-").since(before);

            assertThat(zeroCopy.body()).isEqualTo(big);
            assertThat(copied.body()).isEqualTo(big);
            assertThat(memfdCost.writeCalls()).as("write calls for the memfd (%s), for the byte array (%s)",
                    memfdCost, copyCost).isLessThan(60).isLessThan(copyCost.writeCalls() / 4);
            assertThat(memfdCost.allocatedBytes()).as("heap allocated by the event loops").isLessThan(size / 16);
        }
    }

    /** F9: sendfile(2) fails with EINVAL on hugetlbfs; such a memfd is copied, decided before the headers go out. */
    @Test
    void aHugePageMemfdIsCopiedNotDropped() throws Exception {
        HugePageSize pageSize = HugePageSize.HUGE_2MB;
        assumeTrue(pageSize.reservedPages() >= 1, "no 2 MiB huge pages are reserved here (/proc/sys/vm/nr_hugepages);"
                + " .ci/run reserves some when it runs as root");
        byte[] huge = RawHttp.random((int) pageSize.bytes());
        try (MemFd memfd = MemFdOptions.defaults().hugePages(pageSize).create("huge.bin")) {
            memfd.resize(pageSize.bytes());
            MappedByteBuffer mapping = memfd.mapReadWrite(0, pageSize.bytes());
            mapping.put(0, huge);
            memfd.addSeals(Seal.SHRINK, Seal.GROW, Seal.FUTURE_WRITE);
            this.files.byName.put("huge.bin", new MemFdResource(memfd.dup()));

            RawHttp.Response whole = this.http.get("/files/huge.bin");
            RawHttp.Response range = this.http.get("/files/huge.bin", "Range", "bytes=100-199,-100");

            assertThat(whole.status()).isEqualTo(200);
            assertThat(whole.body()).isEqualTo(huge);
            assertThat(RawHttp.parts(range).get(0).bytes()).isEqualTo(Arrays.copyOfRange(huge, 100, 200));
            assertThat(RawHttp.parts(range).get(1).bytes()).isEqualTo(Arrays.copyOfRange(huge, huge.length - 100,
                    huge.length));
        }
    }

    private byte[] slice(int from, int to) {
        return Arrays.copyOfRange(this.content, from, to);
    }

}
