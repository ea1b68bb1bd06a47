package io.memfd.spring.io;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.core.io.Resource;

import io.memfd.MemFdFactory;

/**
 * Creates {@link MemFdResource}s through a {@link MemFdFactory}, so that its options, default seals, size limits
 * and registry apply. The resources are the caller's to {@link MemFdResource#close() close}; the factory closes any
 * left open when it is closed (with the application context).
 *
 * <pre>{@code
 * MemFdResource terms = resources.createSealed("terms.html", new ClassPathResource("static/terms.html"));
 * }</pre>
 */
public class MemFdResources {

    private final MemFdFactory factory;

    public MemFdResources(MemFdFactory factory) {
        this.factory = factory;
    }

    /** An empty, unsealed, writable resource; fill it through its output stream, then {@link #seal} it. */
    public MemFdResource create(String name) {
        return new MemFdResource(this.factory.create(name));
    }

    /** A resource holding {@code content}, sealed with the factory's default seals. */
    public MemFdResource createSealed(String name, byte[] content) {
        return new MemFdResource(this.factory.createSealed(name, content));
    }

    /**
     * A resource holding everything {@code content} yields, sealed with the factory's default seals; the stream is not
     * closed. The factory's per-buffer and total limits are enforced while streaming: a stream that passes one fails
     * with {@link io.memfd.SizeLimitExceededException} or {@link io.memfd.BudgetExceededException} and leaves no memfd
     * behind.
     */
    public MemFdResource createSealed(String name, InputStream content) throws IOException {
        return new MemFdResource(this.factory.createSealed(name, content));
    }

    /**
     * A sealed copy of another resource (a classpath file, an uploaded part, a URL...), streamed as
     * {@link #createSealed(String, InputStream)} streams.
     */
    public MemFdResource createSealed(String name, Resource source) throws IOException {
        try (InputStream content = source.getInputStream()) {
            return createSealed(name, content);
        }
    }

    /** Adds the factory's default seals to the resource's memfd, e.g. once it has been written. */
    public void seal(MemFdResource resource) {
        this.factory.seal(resource.getMemFd());
    }
}
