package io.memfd.sample.web;

import java.net.URI;
import java.util.List;

import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import io.memfd.sample.blob.Blob;
import io.memfd.sample.blob.BlobRecord;
import io.memfd.sample.blob.BlobStore;

/**
 * The blob API: upload a body into a sealed memfd, list, download, delete. Ordinary Spring code: the starter sends a
 * returned {@code MemFdResource} with {@code sendfile} (ranges, {@code HEAD}, {@code If-Range} included; Spring answers
 * {@code If-None-Match} from the ETag), and answers memfd's limits with problem details (413, 507, 408, 409). The
 * store's own errors (404, 400) are Spring's problem details ({@code spring.webflux.problemdetails.enabled}).
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
            .map((blob) -> ResponseEntity.created(URI.create("/blobs/" + blob.id())).body(blob));
    }

    @GetMapping
    List<BlobRecord> list() {
        return this.store.list();
    }

    /**
     * Also answers {@code HEAD}. Always {@code application/octet-stream}: a type guessed from an uploader's file name
     * (an {@code .html} blob) would let one user's upload run script in another's browser.
     */
    @GetMapping("/{id}")
    ResponseEntity<Resource> download(@PathVariable long id) {
        Blob blob = this.store.get(id);
        return ResponseEntity.ok().eTag(blob.etag()).contentType(MediaType.APPLICATION_OCTET_STREAM)
            .header("X-Content-Type-Options", "nosniff").body(blob.resource());
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable long id) {
        this.store.delete(id);
        return ResponseEntity.noContent().build();
    }
}
