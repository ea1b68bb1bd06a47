package io.memfd.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;

import com.jayway.jsonpath.DocumentContext;
import org.junit.jupiter.api.Test;

import io.memfd.testing.OpenFds;

/** The blob API end to end: the app on a random port, a real HTTP client, the real kernel. */
class BlobApiTests extends AbstractBlobAppTests {

    @Test
    void uploadAnswersTheRecordAndTheDownloadGivesTheSameBytes() throws Exception {
        byte[] content = random(300_000);

        HttpResponse<byte[]> created = this.http.upload("report.bin", content);

        assertThat(created.statusCode()).isEqualTo(201);
        DocumentContext record = BlobHttp.json(created);
        long id = record.read("$.id", Long.class);
        assertThat(created.headers().firstValue("Location")).hasValue("/blobs/" + id);
        assertThat(record.read("$.name", String.class)).isEqualTo("report.bin");
        assertThat(record.read("$.size", Long.class)).isEqualTo(content.length);
        assertThat(record.read("$.sha256", String.class)).isEqualTo(sha256(content));
        assertThat(record.read("$.seals", List.class)).contains("WRITE", "SHRINK", "GROW", "SEAL");
        assertThat(record.read("$.state", String.class)).isEqualTo("stored");
        assertThat(this.factory.registry().find(id)).get()
            .satisfies(memfd -> assertThat(memfd.name()).isEqualTo("blob/report.bin"));

        HttpResponse<byte[]> download = this.http.get("/blobs/" + id);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(content);
        assertThat(download.headers().firstValue("Content-Length")).hasValue(String.valueOf(content.length));
        assertThat(download.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(download.headers().firstValue("ETag")).hasValue("\"" + sha256(content) + "\"");
        assertThat(download.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(download.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void aDownloadIsSentWithoutCopyingThroughTheHeap() throws Exception {
        byte[] content = random(MAX_SIZE);
        long id = this.http.created("zero-copy", content).read("$.id", Long.class);
        this.http.get("/blobs/" + id);

        long before = serverAllocatedBytes();
        HttpResponse<byte[]> whole = this.http.get("/blobs/" + id);
        HttpResponse<byte[]> ranges = this.http.get("/blobs/" + id, "Range", "bytes=0-1999999,2000000-");
        long allocated = serverAllocatedBytes() - before;

        assertThat(whole.body()).isEqualTo(content);
        assertThat(BlobHttp.parts(ranges)).hasSize(2);
        // Copying would allocate at least the 8 MiB sent; sendfile leaves the request's own bookkeeping.
        assertThat(allocated).as("heap allocated by the server's event loops").isLessThan(MAX_SIZE / 4);
    }

    @Test
    void aStreamedUploadWithoutLengthIsStoredWhole() throws Exception {
        byte[] content = random(1_000_000);

        HttpResponse<byte[]> created = this.http.send(this.http.request("/blobs?name=streamed")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content))));

        assertThat(created.statusCode()).as(BlobHttp.text(created)).isEqualTo(201);
        assertThat(this.http.get("/blobs/" + BlobHttp.json(created).read("$.id", Long.class)).body())
            .isEqualTo(content);
    }

    @Test
    void anEmptyBlobIsServedEmpty() throws Exception {
        long id = this.http.created("empty", new byte[0]).read("$.id", Long.class);

        HttpResponse<byte[]> download = this.http.get("/blobs/" + id);

        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEmpty();
        assertThat(download.headers().firstValue("Content-Length")).hasValue("0");
    }

    @Test
    void headAnswersTheHeadersWithoutTheBytes() throws Exception {
        byte[] content = random(100_000);
        long id = this.http.created("head", content).read("$.id", Long.class);

        HttpResponse<byte[]> head = this.http.send(
                this.http.request("/blobs/" + id).method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Length")).hasValue("100000");
        assertThat(head.headers().firstValue("ETag")).hasValue("\"" + sha256(content) + "\"");
        assertThat(head.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    }

    @Test
    void oneRangeIsAnsweredWith206AndTheseBytes() throws Exception {
        byte[] content = random(200_000);
        long id = this.http.created("ranged", content).read("$.id", Long.class);

        HttpResponse<byte[]> middle = this.http.get("/blobs/" + id, "Range", "bytes=1000-1999");
        HttpResponse<byte[]> suffix = this.http.get("/blobs/" + id, "Range", "bytes=-500");
        HttpResponse<byte[]> open = this.http.get("/blobs/" + id, "Range", "bytes=199990-");

        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 1000-1999/200000");
        assertThat(middle.headers().firstValue("Content-Length")).hasValue("1000");
        assertThat(middle.body()).isEqualTo(slice(content, 1000, 2000));
        assertThat(suffix.headers().firstValue("Content-Range")).hasValue("bytes 199500-199999/200000");
        assertThat(suffix.body()).isEqualTo(slice(content, 199_500, 200_000));
        assertThat(open.body()).isEqualTo(slice(content, 199_990, 200_000));
    }

    @Test
    void severalRangesAreAnsweredAsMultipartByteranges() throws Exception {
        byte[] content = random(200_000);
        long id = this.http.created("multi", content).read("$.id", Long.class);

        HttpResponse<byte[]> response = this.http.get("/blobs/" + id, "Range", "bytes=0-99,5000-5999,-10");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(response.body().length));
        List<BlobHttp.Part> parts = BlobHttp.parts(response);
        assertThat(parts).extracting(BlobHttp.Part::contentRange)
            .containsExactly("bytes 0-99/200000", "bytes 5000-5999/200000", "bytes 199990-199999/200000");
        assertThat(parts.get(0).bytes()).isEqualTo(slice(content, 0, 100));
        assertThat(parts.get(1).bytes()).isEqualTo(slice(content, 5000, 6000));
        assertThat(parts.get(2).bytes()).isEqualTo(slice(content, 199_990, 200_000));
    }

    @Test
    void rangesThatCannotBeServedAre416() throws Exception {
        long id = this.http.created("short", random(1000)).read("$.id", Long.class);

        for (String range : List.of("bytes=1000-", "bytes=abc", "bytes=0-999,0-999")) {
            HttpResponse<byte[]> response = this.http.get("/blobs/" + id, "Range", range);

            assertThat(response.statusCode()).as(range).isEqualTo(416);
            assertThat(response.headers().firstValue("Content-Range")).as(range).hasValue("bytes */1000");
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
    }

    @Test
    void conditionalRequestsUseTheSha256AsETag() throws Exception {
        byte[] content = random(10_000);
        long id = this.http.created("cached", content).read("$.id", Long.class);
        String etag = "\"" + sha256(content) + "\"";

        HttpResponse<byte[]> notModified = this.http.get("/blobs/" + id, "If-None-Match", etag);
        HttpResponse<byte[]> changed = this.http.get("/blobs/" + id, "If-None-Match", "\"other\"");
        HttpResponse<byte[]> rangeOfOtherVersion = this.http.get("/blobs/" + id, "Range", "bytes=0-9", "If-Range",
                "\"other\"");
        HttpResponse<byte[]> rangeOfThisVersion = this.http.get("/blobs/" + id, "Range", "bytes=0-9", "If-Range",
                etag);

        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(rangeOfOtherVersion.statusCode()).isEqualTo(200);
        assertThat(rangeOfOtherVersion.body()).isEqualTo(content);
        assertThat(rangeOfThisVersion.statusCode()).isEqualTo(206);
        assertThat(rangeOfThisVersion.body()).isEqualTo(slice(content, 0, 10));
    }

    @Test
    void theListShowsEveryBlob() throws Exception {
        long first = this.http.created("a", random(10)).read("$.id", Long.class);
        long second = this.http.created("b", random(20)).read("$.id", Long.class);

        DocumentContext list = this.http.json("/blobs");

        assertThat(list.read("$[*].id", List.class)).containsExactly((int) first, (int) second);
        assertThat(list.read("$[*].name", List.class)).containsExactly("a", "b");
        assertThat(list.read("$[*].size", List.class)).containsExactly(10, 20);
    }

    @Test
    void deleteClosesTheMemfdAndTheBlobIsGone() throws Exception {
        long id = this.http.created("doomed", random(5000)).read("$.id", Long.class);
        assertThat(OpenFds.memfdsNamed("blob/doomed")).isEqualTo(1);

        HttpResponse<byte[]> deleted = this.http.delete("/blobs/" + id);

        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(this.factory.registry().find(id)).isEmpty();
        assertThat(OpenFds.memfdsNamed("blob/doomed")).isZero();
        assertNotFound(this.http.get("/blobs/" + id), id);
        assertNotFound(this.http.delete("/blobs/" + id), id);
    }

    @Test
    void anUnknownIdIs404WithAProblemDetail() throws Exception {
        assertNotFound(this.http.get("/blobs/987654"), 987654);
        assertNotFound(this.http.send(
                this.http.request("/blobs/987654").method("HEAD", HttpRequest.BodyPublishers.noBody())), -1);
    }

    @Test
    void aBadNameIs400() throws Exception {
        HttpResponse<byte[]> blank = this.http.upload("", new byte[1]);
        HttpResponse<byte[]> missing = this.http.send(
                this.http.request("/blobs").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1])));

        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(BlobHttp.json(blank).read("$.title", String.class)).isEqualTo("Invalid blob name");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(this.factory.registry().createdCount()).as("no memfd was even created")
            .isEqualTo(this.factory.registry().releasedCount() + this.factory.registry().count());
    }

    @Test
    void aBodyOverMaxSizeIs413AndLeavesNoMemfd() throws Exception {
        long created = this.factory.registry().createdCount();
        byte[] tooBig = random(MAX_SIZE + 1);

        // Declared too large: refused before the body is read, so the client need not send it.
        String declared = this.http.exchange("POST /blobs?name=declared HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Length: " + tooBig.length + "\r\nExpect: 100-continue\r\n\r\n");
        // Length unknown: refused at the first chunk past the limit, after a memfd was filled up to it.
        HttpResponse<byte[]> streamed = this.http.send(this.http.request("/blobs?name=streamed")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tooBig))));

        assertThat(declared).startsWith("HTTP/1.1 413 ").contains("Content-Type: application/problem+json")
            .contains("memfd.max-size");
        assertThat(streamed.statusCode()).isEqualTo(413);
        assertThat(streamed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(BlobHttp.json(streamed).read("$.detail", String.class)).contains("memfd.max-size");
        assertThat(this.factory.registry().count()).isZero();
        assertThat(this.factory.registry().usedBytes()).isZero();
        assertThat(this.factory.registry().createdCount()).as("only the streamed upload made a memfd")
            .isEqualTo(created + 1);
        assertThat(OpenFds.memfdsNamed("blob/declared") + OpenFds.memfdsNamed("blob/streamed")).isZero();
    }

    @Test
    void anUploadPastTheBudgetIs507AndLeavesNoMemfd() throws Exception {
        for (int i = 0; i < BUDGET / MAX_SIZE; i++) {
            this.http.created("full-" + i, random(MAX_SIZE));
        }

        HttpResponse<byte[]> refused = this.http.upload("one-too-many", random(1));

        assertThat(refused.statusCode()).isEqualTo(507);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(BlobHttp.json(refused).read("$.detail", String.class)).contains("memfd.max-total-size")
            .contains(BUDGET + " bytes");
        assertThat(this.factory.registry().count()).isEqualTo(BUDGET / MAX_SIZE);
        assertThat(OpenFds.memfdsNamed("blob/one-too-many")).isZero();

        this.http.delete("/blobs/" + this.store.list().get(0).id());
        assertThat(this.http.upload("room-again", random(1)).statusCode()).isEqualTo(201);
    }

    @Test
    void theMetricsFollowUploadsAndDeletes() throws Exception {
        assertThat(this.http.metric("memfd.buffer.count")).isZero();

        long id = this.http.created("counted", random(4096)).read("$.id", Long.class);
        assertThat(this.http.metric("memfd.buffer.count")).isEqualTo(1);
        assertThat(this.http.metric("memfd.buffer.count?tag=state:sealed")).isEqualTo(1);
        // Its page, and about 1 KiB for its file.
        assertThat(this.http.metric("memfd.buffer.memory.used")).isEqualTo(4096 + 1024);
        double released = this.http.metric("memfd.buffer.released");

        this.http.delete("/blobs/" + id);
        assertThat(this.http.metric("memfd.buffer.count")).isZero();
        assertThat(this.http.metric("memfd.buffer.memory.used")).isZero();
        assertThat(this.http.metric("memfd.buffer.released")).isEqualTo(released + 1);
        DocumentContext endpoint = this.http.json("/actuator/memfd");
        assertThat(endpoint.read("$.count", Integer.class)).isZero();
    }

    @Test
    void theMemfdEndpointListsTheBlobs() throws Exception {
        long id = this.http.created("listed", random(777)).read("$.id", Long.class);

        DocumentContext endpoint = this.http.json("/actuator/memfd");
        DocumentContext health = this.http.json("/actuator/health");

        assertThat(endpoint.read("$.buffers[0].id", Long.class)).isEqualTo(id);
        assertThat(endpoint.read("$.buffers[0].name", String.class)).isEqualTo("blob/listed");
        assertThat(endpoint.read("$.buffers[0].size", Long.class)).isEqualTo(777);
        assertThat(health.read("$.components.memfd.status", String.class)).isEqualTo("UP");
        assertThat(health.read("$.components.memfd.details.count", Integer.class)).isEqualTo(1);
    }

    @Test
    void hundredsOfUploadsAndDeletesLeaveNoDescriptorBehind() throws Exception {
        // The first cycle opens what stays open for good (a class loaded from a jar not read before...).
        uploadDownloadAndDelete(random(4096));
        Set<OpenFds.Fd> before = OpenFds.snapshot();

        long previousInode = -1;
        for (int i = 0; i < 300; i++) {
            long inode = uploadDownloadAndDelete(random(4096 + i));
            // A download's own channel on the memfd is closed a moment after its last byte: by the end of the next
            // cycle at the latest. Checked cycle by cycle, because a leaked channel is closed silently when the
            // garbage collector finds it: a single check at the end could come just after a collection.
            long stale = previousInode;
            assertThat(OpenFds.openedSince(before)).as("descriptors of the previous cycle's memfd")
                .noneMatch(fd -> fd.target().startsWith("/memfd:") && fd.inode() == stale);
            previousInode = inode;
        }

        // The last downloads' channels, and each connection's ends, are closed by the client's and the server's
        // threads a moment after the response is complete: hence the wait.
        OpenFds.awaitNoneOpenedSince(before);
        assertThat(this.factory.registry().count()).isZero();
        assertThat(this.factory.registry().leakedCount()).as("memfds closed by the garbage collector").isZero();
    }

    /** Uploads {@code content}, downloads ranges of it and all of it, deletes it; returns its memfd's inode. */
    private long uploadDownloadAndDelete(byte[] content) throws Exception {
        long id = this.http.created("cycle", content).read("$.id", Long.class);
        long inode = this.factory.registry().find(id).orElseThrow()
            .withRawFd((fd) -> OpenFds.describe(fd).orElseThrow().inode());
        assertThat(this.http.get("/blobs/" + id, "Range", "bytes=0-99,200-299").statusCode()).isEqualTo(206);
        assertThat(this.http.get("/blobs/" + id).body()).isEqualTo(content);
        assertThat(this.http.delete("/blobs/" + id).statusCode()).isEqualTo(204);
        return inode;
    }

    /**
     * Heap allocated so far by the server's event loops ({@code webflux-http-epoll-N}), which run the handlers and
     * write the responses.
     */
    private static long serverAllocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo thread : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (thread != null && thread.getThreadName().contains("-http-")) {
                total += threads.getThreadAllocatedBytes(thread.getThreadId());
            }
        }
        return total;
    }

    private static void assertNotFound(HttpResponse<byte[]> response, long id) {
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        if (id >= 0) {
            DocumentContext problem = BlobHttp.json(response);
            assertThat(problem.read("$.status", Integer.class)).isEqualTo(404);
            assertThat(problem.read("$.detail", String.class)).isEqualTo("No blob has the id " + id + ".");
        }
    }

}
