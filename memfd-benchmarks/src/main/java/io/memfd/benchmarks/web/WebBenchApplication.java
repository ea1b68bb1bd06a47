package io.memfd.benchmarks.web;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.MemFdResources;

/**
 * The same bytes three ways from an ordinary controller, on WebFlux or Spring MVC
 * ({@code --spring.main.web-application-type=reactive|servlet}), for bench/web-bench.sh: a sealed {@link MemFdResource}
 * (the starter's writer), a {@link FileSystemResource} on {@code /dev/shm} and a {@link ByteArrayResource} (Spring's
 * own writers). {@code GET /allocated} gives the heap allocated by all threads so far.
 */
@SpringBootApplication
public class WebBenchApplication {

    public static void main(String[] args) {
        SpringApplication.run(WebBenchApplication.class, args);
    }

    @RestController
    static class Peers {

        private final Map<Integer, MemFdResource> memfds = new ConcurrentHashMap<>();
        private final Map<Integer, Path> files = new ConcurrentHashMap<>();
        private final Map<Integer, byte[]> arrays = new ConcurrentHashMap<>();

        Peers(MemFdResources resources) throws IOException {
            for (int size : new int[] { 1 << 20, 64 << 20 }) {
                byte[] bytes = new byte[size];
                new Random(size).nextBytes(bytes);
                Path file = Path.of("/dev/shm", "web-bench-" + ProcessHandle.current().pid() + "-" + size + ".bin");
                Files.write(file, bytes);
                this.files.put(size, file);
                this.arrays.put(size, bytes);
                this.memfds.put(size, resources.createSealed("web-bench-" + size + ".bin", bytes));
            }
        }

        @GetMapping("/memfd/{size}")
        ResponseEntity<Resource> memfd(@PathVariable int size) {
            return ok(this.memfds.get(size));
        }

        @GetMapping("/file/{size}")
        ResponseEntity<Resource> file(@PathVariable int size) {
            return ok(new FileSystemResource(this.files.get(size)));
        }

        @GetMapping("/bytes/{size}")
        ResponseEntity<Resource> bytes(@PathVariable int size) {
            return ok(new ByteArrayResource(this.arrays.get(size)));
        }

        /** Bytes allocated on the heap by the live threads so far. */
        @GetMapping("/allocated")
        long allocated() {
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
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

        private static ResponseEntity<Resource> ok(Resource resource) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(resource);
        }
    }
}
