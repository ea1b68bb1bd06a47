package io.memfd.sample.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import org.springframework.context.annotation.Profile;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.memfd.sample.blob.BlobNotFoundException;
import io.memfd.sample.blob.BlobStore;

/**
 * Benchmark peers, only with the {@code bench} profile (bench/sample-app-bench.sh): a blob's bytes served the two
 * usual Spring ways, as a file in {@code /dev/shm} through {@link FileSystemResource} (Spring's own zero-copy path)
 * and from the heap through {@link ByteArrayResource}, and the heap allocated by all threads so far, to measure
 * allocation per request.
 */
@RestController
@RequestMapping("/bench")
@Profile("bench")
class BenchController {

    private final BlobStore store;
    private final Map<Long, Path> files = new ConcurrentHashMap<>();
    private final Map<Long, byte[]> arrays = new ConcurrentHashMap<>();

    BenchController(BlobStore store) {
        this.store = store;
    }

    /** Copies blob {@code id} to {@code /dev/shm} and to a byte array, for the two endpoints below. */
    @PostMapping("/peers/{id}")
    ResponseEntity<Void> peers(@PathVariable long id) throws IOException {
        Path file = Path.of("/dev/shm", "sample-app-bench-" + ProcessHandle.current().pid() + "-" + id + ".bin");
        try (InputStream in = this.store.get(id).resource().getInputStream()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        this.files.put(id, file);
        this.arrays.put(id, Files.readAllBytes(file));
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/file/{id}")
    ResponseEntity<Resource> file(@PathVariable long id) {
        return ok(new FileSystemResource(peer(this.files, id)));
    }

    @GetMapping("/bytes/{id}")
    ResponseEntity<Resource> bytes(@PathVariable long id) {
        return ok(new ByteArrayResource(peer(this.arrays, id)));
    }

    /** Bytes allocated on the heap by the live threads so far (event loops live as long as the server). */
    @GetMapping("/allocated")
    long allocated() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long allocated : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(allocated, 0);
        }
        return total;
    }

    @PreDestroy
    void deleteFiles() throws IOException {
        for (Path file : this.files.values()) {
            Files.deleteIfExists(file);
        }
    }

    private static <T> T peer(Map<Long, T> peers, long id) {
        T peer = peers.get(id);
        if (peer == null) {
            throw new BlobNotFoundException(id);
        }
        return peer;
    }

    private static ResponseEntity<Resource> ok(Resource resource) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(resource);
    }
}
