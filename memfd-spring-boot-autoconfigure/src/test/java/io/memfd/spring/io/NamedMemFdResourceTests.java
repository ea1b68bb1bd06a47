package io.memfd.spring.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.memfd.MemFdClosedException;
import io.memfd.MemFdFactory;
import io.memfd.Seal;

/** A {@code memfd:} location while uploads of the same name come and go. */
class NamedMemFdResourceTests {

    /**
     * Every upload creates its memfd, then tracks it: a look-up between the two would find it empty or partly written.
     * Uploads under the name run back to back for a second while another thread resolves the location: each buffer
     * it gets is sealed, the permanent one or a finished upload.
     */
    @Test
    void aLookUpNeverFindsAnUploadBetweenItsCreationAndItsTracking() throws Exception {
        MemFdUploads uploads = new MemFdUploads();
        try (MemFdFactory factory = MemFdFactory.builder().build();
                MemFdResource permanent = new MemFdResources(factory).createSealed("doc", new byte[] {1})) {
            MemFdResources resources = new MemFdResources(factory, uploads, Duration.ofSeconds(30));
            NamedMemFdResource location = (NamedMemFdResource) new MemFdProtocolResolver(() -> factory, () -> uploads)
                .resolve("memfd:doc", null);
            long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            AtomicInteger uploaded = new AtomicInteger();
            CompletableFuture<Void> uploading = CompletableFuture.runAsync(() -> {
                while (System.nanoTime() < end) {
                    try (MemFdResource upload = resources.createSealed("doc",
                            new ByteArrayInputStream(new byte[4096]))) {
                        uploaded.incrementAndGet();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            int unsealed = 0;
            int lookUps = 0;
            while (!uploading.isDone()) {
                try {
                    if (!location.resolve().getMemFd().seals().contains(Seal.WRITE)) {
                        unsealed++;
                    }
                    lookUps++;
                } catch (MemFdClosedException e) {
                    // A finished upload, closed right after: not the case looked for.
                }
            }
            uploading.get();
            assertThat(unsealed).as("unsealed buffers found in %d look-ups during %d uploads", lookUps, uploaded.get())
                .isZero();
        }
    }
}
