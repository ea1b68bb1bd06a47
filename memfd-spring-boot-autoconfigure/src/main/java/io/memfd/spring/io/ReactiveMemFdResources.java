package io.memfd.spring.io;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.unit.DataSize;
import org.springframework.web.util.DisconnectedClientHelper;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;

/**
 * Streams reactive content (a WebFlux request body, a multipart {@link Part}, a {@code WebClient} response) into new
 * sealed {@link MemFdResource}s through a {@link MemFdFactory}, so that its size limits, budget and default seals
 * apply. The reactive counterpart of {@link MemFdResources}.
 *
 * <pre>{@code
 * @PostMapping("/files")
 * Mono<String> upload(@RequestParam String name, ServerHttpRequest request) {
 *     return resources.createSealed(name, request.getBody()).map(resource -> store.keep(resource));
 * }
 * }</pre>
 *
 * <p>Each {@link DataBuffer} is written where the previous one ended and released at once (a direct buffer without a
 * copy), so the content is never held whole on the heap. Whatever ends an upload early leaves no memfd behind: a
 * limit passed ({@link io.memfd.SizeLimitExceededException}, {@link io.memfd.BudgetExceededException}), an error or
 * cancellation of the content, a subscriber that cancels, no byte within the idle timeout or an average below the
 * minimum rate, or {@link MemFdUploads#cancel} ({@link UploadAbortedException}). While it runs, the upload is listed
 * by {@link MemFdUploads}.
 */
public class ReactiveMemFdResources {

    private final MemFdFactory factory;
    private final MemFdUploads uploads;
    private final Duration idleTimeout;
    private final long minimumBytesPerSecond;

    /** With no minimum rate; see {@link #ReactiveMemFdResources(MemFdFactory, MemFdUploads, Duration, DataSize)}. */
    public ReactiveMemFdResources(MemFdFactory factory, MemFdUploads uploads, Duration idleTimeout) {
        this(factory, uploads, idleTimeout, DataSize.ofBytes(0));
    }

    /**
     * @param idleTimeout the longest wait for the next bytes of an upload; past it the upload fails with
     *        {@link UploadAbortedException} ({@link UploadAbortedException.Reason#STALLED}) and its memfd is closed
     * @param minimumRate bytes per second an upload must average once it has run for the idle timeout, or it fails
     *        as stalled as well; zero for no minimum
     */
    public ReactiveMemFdResources(MemFdFactory factory, MemFdUploads uploads, Duration idleTimeout,
            DataSize minimumRate) {
        UploadWatchdog.checkSettings(idleTimeout, minimumRate);
        this.factory = factory;
        this.uploads = uploads;
        this.idleTimeout = idleTimeout;
        this.minimumBytesPerSecond = minimumRate.toBytes();
    }

    /**
     * A resource holding everything {@code content} yields, sealed with the factory's default seals. The memfd is
     * created when the returned {@code Mono} is subscribed, and only then is {@code content} subscribed.
     */
    public Mono<MemFdResource> createSealed(String name, Publisher<? extends DataBuffer> content) {
        return Mono.defer(() -> {
            InvalidMemFdNameException.check(this.factory, name);
            Sinks.One<UploadAbortedException> cancelled = Sinks.one();
            Ingestion ingestion;
            MemFdUploads.Tracked upload;
            try (MemFdUploads.Starting starting = this.uploads.starting()) {
                MemFd memfd = this.factory.create(name);
                ingestion = new Ingestion(memfd);
                upload = this.uploads.track(memfd.info().id(), memfd.name(),
                        (reason) -> ingestion.cancel(reason) && cancelled.tryEmitValue(reason).isSuccess());
            }
            UploadWatchdog watchdog = new UploadWatchdog(this.uploads, upload, this.idleTimeout,
                    this.minimumBytesPerSecond);
            Mono<MemFdResource> written = Flux.from(content)
                .onErrorMap(DisconnectedClientHelper::isClientDisconnectedException, upload::disconnected)
                .doOnNext((buffer) -> {
                    upload.received(ingestion.write(buffer));
                    watchdog.progress();
                })
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                .then(Mono.fromCallable(ingestion::finish));
            // Settled before the outcome travels on, so that whoever sees the response sees the upload gone too.
            return Mono.firstWithSignal(written, cancelled.asMono().flatMap(Mono::<MemFdResource>error))
                .doOnSuccess((resource) -> this.uploads.untrack(upload))
                .doOnError((e) -> ingestion.abort(upload))
                .doOnCancel(() -> ingestion.abort(upload))
                .doFinally((signal) -> watchdog.stop());
        });
    }

    /** A resource holding a multipart part's content (a {@code FilePart}'s file), as {@link #createSealed} does. */
    public Mono<MemFdResource> createSealed(String name, Part part) {
        return createSealed(name, part.content());
    }

    /** The uploads in progress. */
    public MemFdUploads uploads() {
        return this.uploads;
    }

    /** One content being written into a memfd: the running position, and how the upload ends. */
    private final class Ingestion {

        private final MemFd memfd;
        private long position;
        /** Whichever comes first settles the upload: sealing it, or a cancellation, or abandoning it otherwise. */
        private boolean finished;
        private @Nullable UploadAbortedException cancelled;
        private boolean abandoned;

        Ingestion(MemFd memfd) {
            this.memfd = memfd;
        }

        /** Writes and releases one buffer; Reactor delivers them one at a time, in order. */
        long write(DataBuffer buffer) {
            long start = this.position;
            try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
                while (chunks.hasNext()) {
                    ByteBuffer chunk = chunks.next();
                    this.position += this.memfd.write(this.position, chunk);
                }
            } finally {
                DataBufferUtils.release(buffer);
            }
            return this.position - start;
        }

        /** Seals the memfd, unless the upload was cancelled or abandoned first: then fails. */
        synchronized MemFdResource finish() {
            if (this.cancelled != null) {
                throw this.cancelled;
            }
            if (this.abandoned) {
                throw new IllegalStateException("The upload of '" + this.memfd.name() + "' was abandoned");
            }
            ReactiveMemFdResources.this.factory.seal(this.memfd);
            this.finished = true;
            return new MemFdResource(this.memfd);
        }

        /**
         * Settles a cancellation for {@code reason}, unless the upload ended (or was cancelled) first; returns
         * whether it did. The failure that follows closes the memfd ({@link #abort}).
         */
        synchronized boolean cancel(UploadAbortedException reason) {
            if (this.finished || this.abandoned || this.cancelled != null) {
                return false;
            }
            this.cancelled = reason;
            return true;
        }

        /** After a failure, a cancellation or a stall: a half-written memfd must not outlive the upload. */
        void abort(MemFdUploads.Tracked upload) {
            boolean close;
            synchronized (this) {
                close = !this.finished;
                this.abandoned = true;
            }
            if (close) {
                this.memfd.close();
            }
            ReactiveMemFdResources.this.uploads.untrack(upload);
        }
    }
}
