package io.memfd.spring.io;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;

import io.memfd.MemFd;
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

    private final @Nullable Duration idleTimeout;

    public MemFdResources(MemFdFactory factory) {
        this.factory = factory;
        this.idleTimeout = null;
    }

    /**
     * @param idleTimeout longest wait for the next bytes of a stream given to {@link #createSealed(String,
     *     InputStream)}; past it the memfd is closed and the upload fails as stalled
     */
    public MemFdResources(MemFdFactory factory, Duration idleTimeout) {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("The idle timeout must be positive, not " + idleTimeout);
        }
        this.factory = factory;
        this.idleTimeout = idleTimeout;
    }

    /** An empty, unsealed, writable resource; fill it through its output stream, then {@link #seal} it. */
    public MemFdResource create(String name) {
        InvalidMemFdNameException.check(this.factory, name);
        return new MemFdResource(this.factory.create(name));
    }

    /** A resource holding {@code content}, sealed with the factory's default seals. */
    public MemFdResource createSealed(String name, byte[] content) {
        InvalidMemFdNameException.check(this.factory, name);
        return new MemFdResource(this.factory.createSealed(name, content));
    }

    /**
     * A resource holding everything {@code content} yields, sealed with the factory's default seals; the stream is not
     * closed. The factory's per-buffer and total limits are enforced while streaming: a stream that passes one fails
     * with {@link io.memfd.SizeLimitExceededException} or {@link io.memfd.BudgetExceededException} and leaves no memfd
     * behind. With an idle timeout, a stream that yields nothing for that long has its memfd closed at once (its
     * memory and budget freed) and fails with {@link UploadAbortedException} ({@code STALLED}) once its read returns.
     */
    public MemFdResource createSealed(String name, InputStream content) throws IOException {
        InvalidMemFdNameException.check(this.factory, name);
        if (this.idleTimeout == null) {
            return new MemFdResource(this.factory.createSealed(name, content));
        }
        MemFd memfd = this.factory.create(name);
        IdleWatchdog watchdog = new IdleWatchdog(memfd, this.idleTimeout);
        try {
            memfd.append(watchdog.watch(content));
            this.factory.seal(memfd);
            return new MemFdResource(memfd);
        } catch (IOException | RuntimeException e) {
            memfd.close();
            if (watchdog.fired()) {
                UploadAbortedException stalled = new UploadAbortedException(UploadAbortedException.Reason.STALLED,
                        "No bytes of '" + memfd.name() + "' arrived for " + this.idleTimeout.toMillis()
                                + " ms (memfd.web.upload-idle-timeout); the upload was dropped.");
                stalled.initCause(e);
                throw stalled;
            }
            throw e;
        } finally {
            watchdog.stop();
        }
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
