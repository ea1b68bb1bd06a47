package io.memfd.spring.web.reactive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.Resource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ResourceHttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.memfd.MemFd;
import io.memfd.MemFdClosedException;
import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.NamedMemFdResource;
import io.memfd.spring.web.MemFdLocations;
import io.memfd.spring.web.MemFdProblems;

/**
 * Writes a {@link MemFdResource} returned from a WebFlux controller or functional endpoint (directly, in a
 * {@code ResponseEntity}, in a {@code Mono}) with {@code sendfile(2)} from a descriptor the response owns; every other
 * {@link Resource} goes to Spring's {@link ResourceHttpMessageWriter} as before.
 *
 * <p>The response opens its own read-only descriptor on the memfd before anything is committed (a memfd closed by then
 * is a clean 404), and closes it once the last byte is written or the connection fails. No path is handed to the
 * server: Spring's own zero-copy path would pass {@code /proc/self/fd/N}, opened later on the event loop, and by then
 * the number may name another file.
 *
 * <p>Headers and status follow Spring's {@link ResourceHttpMessageWriter}: {@code Content-Type} as the controller set
 * it, else from the selected media type or the memfd's name (also for each part of a multi-range answer),
 * {@code Content-Length}, {@code Accept-Ranges: bytes}; one range is 206 with
 * {@code Content-Range}, several are {@code multipart/byteranges}; a range that cannot be served is 416 with
 * {@code Content-Range: bytes *}{@code /SIZE} and a problem detail; {@code HEAD} sends the headers alone. Beyond
 * Spring, {@code If-Range} is honoured (RFC 9110, section 13.1.5): a validator that does not match the response's
 * {@code ETag} or {@code Last-Modified} gets the whole content. Conditional requests ({@code If-None-Match}, 304) are
 * Spring's, from the {@code ResponseEntity}'s headers.
 *
 * <p>Where {@code sendfile} cannot work the bytes are copied through buffers instead, decided before the headers are
 * committed and logged once per reason at debug level: TLS, HTTP/2, response compression, a server other than Reactor
 * Netty, and memfds on hugetlbfs (for which {@code sendfile} fails with {@code EINVAL}).
 */
public class MemFdResourceHttpMessageWriter implements HttpMessageWriter<Resource> {

    private static final Log logger = LogFactory.getLog(MemFdResourceHttpMessageWriter.class);

    private static final boolean REACTOR_NETTY_PRESENT = ClassUtils.isPresent(
            "reactor.netty.http.server.HttpServerResponse", MemFdResourceHttpMessageWriter.class.getClassLoader());

    private static final int COPY_CHUNK = 64 * 1024;

    private final ResourceHttpMessageWriter resources = new ResourceHttpMessageWriter();

    private final Set<String> loggedFallbacks = ConcurrentHashMap.newKeySet();

    private final Duration sendIdleTimeout;

    private final long sendMinimumRate;

    /**
     * A writer whose responses may be sent at any rate, as long as they make progress.
     *
     * @param sendIdleTimeout the longest time a response on Reactor Netty may make no progress before its connection
     *        is closed: a client that stops reading would otherwise keep the memfd's pages for as long as it likes
     */
    public MemFdResourceHttpMessageWriter(Duration sendIdleTimeout) {
        this(sendIdleTimeout, DataSize.ofBytes(0));
    }

    /**
     * @param sendIdleTimeout the longest time a response on Reactor Netty may make no progress before its connection
     *        is closed: a client that stops reading would otherwise keep the memfd's pages for as long as it likes
     * @param sendMinimumRate the lowest average speed, per second, at which a response on Reactor Netty must be sent
     *        once it has run {@code sendIdleTimeout}, or 0 for none: a client reading a few bytes now and then would
     *        otherwise keep the memfd's pages for as long as it likes
     */
    public MemFdResourceHttpMessageWriter(Duration sendIdleTimeout, DataSize sendMinimumRate) {
        this.sendIdleTimeout = sendIdleTimeout;
        this.sendMinimumRate = sendMinimumRate.toBytes();
    }

    @Override
    public boolean canWrite(ResolvableType elementType, @Nullable MediaType mediaType) {
        return this.resources.canWrite(elementType, mediaType);
    }

    @Override
    public List<MediaType> getWritableMediaTypes() {
        return this.resources.getWritableMediaTypes();
    }

    /** Without a request (a client sending a resource): Spring's writer. */
    @Override
    public Mono<Void> write(Publisher<? extends Resource> input, ResolvableType elementType,
            @Nullable MediaType mediaType, ReactiveHttpOutputMessage message, Map<String, Object> hints) {
        return this.resources.write(input, elementType, mediaType, message, hints);
    }

    @Override
    public Mono<Void> write(Publisher<? extends Resource> input, ResolvableType actualType,
            ResolvableType elementType, @Nullable MediaType mediaType, ServerHttpRequest request,
            ServerHttpResponse response, Map<String, Object> hints) {
        return Mono.from(input).flatMap((resource) -> (resource instanceof NamedMemFdResource named)
                ? Mono.defer(() -> writeMemFd(MemFdLocations.resolve(named), mediaType, request, response))
                : (resource instanceof MemFdResource memfd)
                ? writeMemFd(memfd, mediaType, request, response)
                : this.resources.write(Mono.just(resource), actualType, elementType, mediaType, request, response,
                        hints));
    }

    private Mono<Void> writeMemFd(MemFdResource resource, @Nullable MediaType mediaType, ServerHttpRequest request,
            ServerHttpResponse response) {
        MemFd memfd = resource.getMemFd();
        boolean hugetlb;
        FileChannel channel;
        try {
            hugetlb = memfd.isHugetlb();
            channel = memfd.newFileChannel();
        } catch (MemFdClosedException e) {
            return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, resource.getDescription()
                    + " was closed before it could be sent", e));
        }
        try {
            HttpHeaders headers = response.getHeaders();
            ByteRanges body = ByteRanges.of(channel.size(), contentType(headers, mediaType, resource),
                    range(request, response));
            headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
            if (body.status() != HttpStatus.OK) {
                response.setStatusCode(body.status());
            }
            body.applyTo(headers);
            if (request.getMethod() == HttpMethod.HEAD) {
                closeQuietly(channel);
                return response.setComplete();
            }
            Object nativeResponse = nativeResponse(response);
            String refusal = hugetlb ? "the memfd is on hugetlbfs, which sendfile(2) refuses"
                    : (nativeResponse != null) ? NettyFileRegions.refusal(nativeResponse)
                    : "the server is not Reactor Netty";
            SendProgress progress = new SendProgress();
            Runnable unwatched = (nativeResponse != null) ? NettyFileRegions.closeWhenStalled(nativeResponse,
                    this.sendIdleTimeout, this.sendMinimumRate, progress) : () -> { };
            Mono<Void> sent;
            if (refusal == null) {
                sent = NettyFileRegions.write(response, nativeResponse, channel, body.segments(), progress);
            } else {
                logFallback(refusal);
                sent = copy(response, nativeResponse, channel, body.segments(), progress);
            }
            return sent.doFinally((signal) -> unwatched.run());
        } catch (ByteRanges.NotSatisfiable e) {
            closeQuietly(channel);
            return notSatisfiable(response, e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            return Mono.error(e);
        }
    }

    /**
     * The type the controller set, if it did; otherwise Spring's rule: the selected type if it says more than
     * octet-stream, else the type the memfd's name implies.
     */
    private static MediaType contentType(HttpHeaders headers, @Nullable MediaType mediaType, Resource resource) {
        MediaType explicit = headers.getContentType();
        if (explicit != null) {
            return explicit;
        }
        if (mediaType != null && mediaType.isConcrete() && !mediaType.equals(MediaType.APPLICATION_OCTET_STREAM)) {
            return mediaType;
        }
        return MediaTypeFactory.getMediaType(resource).orElse(MediaType.APPLICATION_OCTET_STREAM);
    }

    /**
     * The Range header to serve, or {@code null} for the whole content: ranges apply to GET and HEAD of a 200
     * response, and an If-Range validator must match.
     */
    private static @Nullable String range(ServerHttpRequest request, ServerHttpResponse response) {
        HttpStatusCode status = response.getStatusCode();
        if ((status != null && status.value() != 200)
                || (request.getMethod() != HttpMethod.GET && request.getMethod() != HttpMethod.HEAD)) {
            return null;
        }
        String ifRange = request.getHeaders().getFirst(HttpHeaders.IF_RANGE);
        if (ifRange != null && !IfRange.matches(ifRange, response.getHeaders())) {
            return null;
        }
        return request.getHeaders().getFirst(HttpHeaders.RANGE);
    }

    private static @Nullable Object nativeResponse(ServerHttpResponse response) {
        if (!REACTOR_NETTY_PRESENT) {
            return null;
        }
        try {
            return ServerHttpResponseDecorator.getNativeResponse(response);
        } catch (IllegalArgumentException e) {
            // A response that wraps no server's (a test's mock): nothing to send a file region to.
            return null;
        }
    }

    private void logFallback(String reason) {
        if (this.loggedFallbacks.add(reason) && logger.isDebugEnabled()) {
            logger.debug("Copying memfd responses through buffers instead of sending them with sendfile(2), because "
                    + reason + " (logged once)");
        }
    }

    private static Mono<Void> notSatisfiable(ServerHttpResponse response, ByteRanges.NotSatisfiable e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                e.getMessage());
        problem.setTitle("Range Not Satisfiable");
        byte[] json = MemFdProblems.toJson(problem);
        HttpHeaders headers = response.getHeaders();
        response.setStatusCode(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
        headers.set(HttpHeaders.CONTENT_RANGE, "bytes */" + e.size());
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        headers.setContentLength(json.length);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(json)));
    }

    /**
     * The segments read from the channel into buffers and written as usual: a copy, but correct anywhere. Each buffer
     * is read only once the connection can take it, so a client that stops reading holds one buffer, not as many as
     * the server asks for ahead.
     */
    private static Mono<Void> copy(ServerHttpResponse response, @Nullable Object nativeResponse, FileChannel channel,
            List<ByteRanges.Segment> segments, SendProgress progress) {
        DataBufferFactory buffers = response.bufferFactory();
        Mono<Void> writable = (nativeResponse != null) ? NettyFileRegions.whenWritable(nativeResponse) : Mono.empty();
        Flux<DataBuffer> body = Flux.fromIterable(segments)
            .concatMap((segment) -> (segment instanceof ByteRanges.Segment.Region region)
                    ? chunkPositions(region).concatMap((position) -> writable
                        .then(Mono.fromCallable(() -> read(channel, position, region.position() + region.count(),
                                buffers, progress))))
                    : Mono.just(buffers.wrap(((ByteRanges.Segment.Bytes) segment).bytes())));
        return response.writeWith(body).doFinally((signal) -> closeQuietly(channel));
    }

    /** Where each chunk of {@code region} starts. */
    private static Flux<Long> chunkPositions(ByteRanges.Segment.Region region) {
        long chunks = (region.count() + COPY_CHUNK - 1) / COPY_CHUNK;
        return Flux.range(0, Math.toIntExact(chunks)).map((chunk) -> region.position() + (long) chunk * COPY_CHUNK);
    }

    /** The chunk at {@code position}, up to {@code end}, read into a new buffer. */
    private static DataBuffer read(FileChannel channel, long position, long end, DataBufferFactory buffers,
            SendProgress progress) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(COPY_CHUNK, end - position));
        while (chunk.hasRemaining()) {
            if (channel.read(chunk, position + chunk.position()) < 0) {
                throw new IOException("The memfd ended at " + (position + chunk.position()) + " bytes, before " + end
                        + ": it was not sealed against shrinking");
            }
        }
        progress.copied(chunk.position());
        return buffers.wrap(chunk.flip());
    }

    static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // A read-only channel has nothing to flush; the descriptor is released anyway.
        }
    }
}
