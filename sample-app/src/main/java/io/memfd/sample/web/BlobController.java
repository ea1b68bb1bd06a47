package io.memfd.sample.web;

import java.net.URI;
import java.nio.channels.FileChannel;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import io.memfd.sample.blob.Blob;
import io.memfd.sample.blob.BlobRecord;
import io.memfd.sample.blob.BlobStore;

/**
 * The blob API: upload a body into a sealed memfd, list, download (whole, ranges, conditional, {@code HEAD}), delete.
 * Errors are RFC 9457 problem details ({@link BlobProblems}).
 */
@RestController
@RequestMapping("/blobs")
class BlobController {

    private final BlobStore store;

    BlobController(BlobStore store) {
        this.store = store;
    }

    @PostMapping
    Mono<ResponseEntity<BlobRecord>> upload(@RequestParam String name, ServerHttpRequest request) {
        return this.store.upload(name, request.getHeaders().getContentLength(), request.getBody())
            .map(blob -> ResponseEntity.created(URI.create("/blobs/" + blob.id())).body(blob));
    }

    @GetMapping
    List<BlobRecord> list() {
        return this.store.list();
    }

    /** Also answers {@code HEAD}, which Spring routes here: the same headers, no body. */
    @GetMapping("/{id}")
    Mono<Void> download(@PathVariable long id, ServerWebExchange exchange) {
        Blob blob = this.store.get(id);
        ServerHttpResponse response = exchange.getResponse();
        if (exchange.checkNotModified(blob.etag())) {
            return response.setComplete();
        }
        ServerHttpRequest request = exchange.getRequest();
        RangeBody body = RangeBody.of(blob.size(), MediaType.APPLICATION_OCTET_STREAM, range(request, blob));
        boolean head = request.getMethod() == HttpMethod.HEAD;
        // Opened before anything is committed, so that a blob deleted a moment ago is still a clean 404.
        @Nullable FileChannel channel = head ? null : blob.openChannel();
        response.setStatusCode(body.status());
        HttpHeaders headers = response.getHeaders();
        headers.setETag(blob.etag());
        headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        body.applyTo(headers);
        if (channel == null) {
            return response.setComplete();
        }
        return FileRegionWriter.write(response, channel, body.segments());
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable long id) {
        this.store.delete(id);
        return ResponseEntity.noContent().build();
    }

    /** The Range header, unless an If-Range names another version (RFC 9110, section 13.1.5): then all of it. */
    private static @Nullable String range(ServerHttpRequest request, Blob blob) {
        String ifRange = request.getHeaders().getFirst(HttpHeaders.IF_RANGE);
        if (ifRange != null && !ifRange.equals(blob.etag())) {
            return null;
        }
        return request.getHeaders().getFirst(HttpHeaders.RANGE);
    }
}
