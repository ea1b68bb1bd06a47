package io.memfd.spring.web.reactive;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpInputMessage;
import org.springframework.http.codec.HttpMessageReader;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.web.server.PayloadTooLargeException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.memfd.MemFd;
import io.memfd.spring.io.ReactiveMemFdResources;

/**
 * Reads multipart requests into {@link Part}s whose files are sealed memfds ({@link MemFdFilePart}) instead of
 * temporary files: no file is created anywhere, and each file counts against {@code memfd.max-size} and the budget
 * while it streams in. Form fields stay in memory, within Spring's limit for them. Parsing is Spring's
 * {@link PartEventHttpMessageReader}; this reader only decides where the files go. Registered as WebFlux's multipart
 * reader when {@code memfd.web.multipart.enabled=true}, so {@code @RequestPart}, {@code getMultipartData()} and
 * {@code BodyExtractors.toParts()} all get memfd parts.
 */
public class MemFdPartHttpMessageReader implements HttpMessageReader<Part> {

    private static final ResolvableType PART_EVENT = ResolvableType.forClass(PartEvent.class);

    /**
     * How much of a client's file name goes into the memfd's name (which /proc shows; the whole name has at most
     * {@link MemFd#MAX_NAME_BYTES}).
     */
    private static final int NAME_CHARS = 60;

    private final PartEventHttpMessageReader events;
    private final ReactiveMemFdResources resources;
    private int maxParts = -1;

    public MemFdPartHttpMessageReader(ReactiveMemFdResources resources) {
        this(new PartEventHttpMessageReader(), resources);
    }

    /** @param events the parser, configured as the application wants (limits on parts and headers) */
    public MemFdPartHttpMessageReader(PartEventHttpMessageReader events, ReactiveMemFdResources resources) {
        this.events = events;
        this.resources = resources;
    }

    /**
     * The most parts a request may have ({@code -1}, the default: no limit); past it the request is refused with 413,
     * as are parts past the parser's own limits.
     */
    public void setMaxParts(int maxParts) {
        this.maxParts = maxParts;
    }

    @Override
    public List<MediaType> getReadableMediaTypes() {
        return this.events.getReadableMediaTypes();
    }

    @Override
    public boolean canRead(ResolvableType elementType, @Nullable MediaType mediaType) {
        return Part.class.equals(elementType.toClass()) && this.events.canRead(PART_EVENT, mediaType);
    }

    @Override
    public Mono<Part> readMono(ResolvableType elementType, ReactiveHttpInputMessage message,
            Map<String, Object> hints) {
        return Mono.error(new UnsupportedOperationException("Cannot read a multipart request body into one Part"));
    }

    @Override
    public Flux<Part> read(ResolvableType elementType, ReactiveHttpInputMessage message, Map<String, Object> hints) {
        return Flux.defer(() -> {
            // The parts made so far: if the request fails half-way, their memfds must not wait for the collector.
            Queue<Part> made = new ConcurrentLinkedQueue<>();
            AtomicInteger count = new AtomicInteger();
            return this.events.read(PART_EVENT, message, hints)
                .windowUntil(PartEvent::isLast)
                .concatMap((events) -> (this.maxParts >= 0 && count.incrementAndGet() > this.maxParts)
                        ? Mono.error(new PayloadTooLargeException(new DecodingException("More than " + this.maxParts
                                + " parts (spring.webflux.multipart.max-parts)")))
                        : events.switchOnFirst((first, all) -> first.hasValue()
                                ? part(first.get(), all) : all.then(Mono.<Part>empty())))
                // A part or a header section past the parser's limits (Spring answers them 500 otherwise).
                .onErrorMap(DataBufferLimitException.class, PayloadTooLargeException::new)
                .doOnNext(made::add)
                .doOnError((e) -> deleteAll(made))
                .doOnCancel(() -> deleteAll(made));
        });
    }

    private Mono<Part> part(PartEvent first, Flux<PartEvent> all) {
        Flux<DataBuffer> content = all.map(PartEvent::content);
        if (first instanceof FilePartEvent file) {
            return this.resources.createSealed(memfdName(file.filename()), content)
                .map((resource) -> new MemFdFilePart(file.name(), file.filename(), first.headers(), resource));
        }
        return DataBufferUtils.join(content.defaultIfEmpty(DefaultDataBufferFactory.sharedInstance.allocateBuffer(0)))
            .map((buffer) -> formField(first.name(), first.headers(), buffer));
    }

    private static FormFieldPart formField(String name, HttpHeaders headers, DataBuffer buffer) {
        MediaType type = headers.getContentType();
        Charset charset = (type != null && type.getCharset() != null) ? type.getCharset() : StandardCharsets.UTF_8;
        try {
            return new FormField(name, headers, buffer.toString(charset));
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /**
     * The client's file name as a label in /proc, never a reason to refuse the upload: control characters,
     * bidirectional controls and unpaired surrogates (which no memfd name may hold) replaced, cut short between two
     * code points.
     */
    private static String memfdName(String filename) {
        String label = filename.replaceAll("[\\p{Cntrl}\\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", "_");
        if (label.length() > NAME_CHARS) {
            int end = Character.isHighSurrogate(label.charAt(NAME_CHARS - 1)) ? NAME_CHARS - 1 : NAME_CHARS;
            label = label.substring(0, end);
        }
        return "multipart/" + label;
    }

    private static void deleteAll(Queue<Part> parts) {
        for (Part part = parts.poll(); part != null; part = parts.poll()) {
            part.delete().subscribe();
        }
    }

    private record FormField(String name, HttpHeaders headers, String value) implements FormFieldPart {

        @Override
        public Flux<DataBuffer> content() {
            return Flux.defer(() -> Flux.just(
                    DefaultDataBufferFactory.sharedInstance.wrap(this.value.getBytes(StandardCharsets.UTF_8))));
        }
    }
}
