package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.memfd.spring.web.AbstractServingTests;
import io.memfd.spring.web.LocationServing;
import io.memfd.spring.web.RawHttp;
import io.memfd.testing.OpenFds;

/**
 * What Spring MVC serving must do on every servlet container ({@link MemFdWebMvcTests} on Tomcat,
 * {@link MemFdWebMvcJettyTests} on Jetty): the bytes with Spring's headers, ranges, HEAD, 304, a closed resource, and
 * an upload over {@code memfd.max-size}.
 */
abstract class AbstractMvcServingTests extends AbstractServingTests {

    /** The application's {@code memfd.max-size}. */
    private final int maxSize;

    AbstractMvcServingTests(int maxSize) {
        super("report.pdf");
        this.maxSize = maxSize;
    }

    /** Without a Content-Type from the controller, the name's (Spring would take Jackson's application/json). */
    @Test
    void aMemfdLocationIsServedFromItsFinishedBufferNeverFromAnUploadStillArriving() throws Exception {
        LocationServing.anUploadStillArrivingIsNotServed(this.http, this.files, this.resources, this.uploads);
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
        assertThat(one.header("Content-Type")).as("the name's, as for the whole resource").hasValue("application/pdf");
        assertThat(one.header("Content-Range")).hasValue("bytes 1000-1999/" + SIZE);
        assertThat(one.header("Content-Length")).hasValue("1000");
        assertThat(one.body()).isEqualTo(Arrays.copyOfRange(this.content, 1000, 2000));
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(this.content, SIZE - 10, SIZE));
        assertThat(pastTheEnd.header("Content-Range")).hasValue("bytes 299990-299999/" + SIZE);
        assertThat(pastTheEnd.body()).isEqualTo(Arrays.copyOfRange(this.content, 299_990, SIZE));
        assertThat(several.status()).isEqualTo(206);
        assertThat(several.header("Content-Type")).hasValueSatisfying(
                (type) -> assertThat(type).startsWith("multipart/byteranges"));
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

        assertThat(response.status()).as("as on WebFlux, not 500").isEqualTo(404);
        assertThat(OpenFds.memfdsNamed("report.pdf")).isZero();
    }

    @Test
    void anUploadOverMaxSizeIs413AndLeavesNoMemfd() throws Exception {
        RawHttp.Response refused = this.http.post("/files/big", new byte[this.maxSize + 1]);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(413);
        assertThat(refused.header("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.json().read("$.detail", String.class)).contains("memfd.max-size");
        assertThat(refused.json().read("$.instance", String.class)).isEqualTo("/files/big");
        assertThat(OpenFds.memfdsNamed("big")).isZero();
    }
}
