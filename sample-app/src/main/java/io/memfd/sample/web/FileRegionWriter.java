package io.memfd.sample.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Writes regions of an <em>open</em> {@link FileChannel} as a response body, taking ownership of the channel.
 *
 * <p>On Reactor Netty over plain HTTP/1.1, each region goes out as a Netty {@link DefaultFileRegion}, which the
 * epoll (and NIO) transport sends with {@code sendfile(2)}: the bytes go from the page cache to the socket and never
 * through the Java heap. This is what Spring's own zero-copy path ({@code ZeroCopyHttpOutputMessage}) does, except
 * that Spring takes a {@code Path} and Reactor Netty opens it later, on the event loop. For a memfd that path is
 * {@code /proc/self/fd/N}, and a late open could find the number reused by an unrelated file if the memfd was closed
 * meanwhile; an open channel has no such window. The channel is closed once Netty has released the last region.
 *
 * <p>Where a {@code FileRegion} cannot pass (TLS, where the JVM must encrypt the bytes; HTTP/2 streams; another
 * server) or should not (response compression, as Reactor Netty's own {@code sendFile} decides), the regions are read
 * into buffers and written as usual: a copy, but correct.
 */
final class FileRegionWriter {

    private static final int COPY_CHUNK = 64 * 1024;

    private FileRegionWriter() {
    }

    /**
     * Commits the response (status and headers as set) and writes {@code segments}; the returned {@code Mono} closes
     * the channel when it ends, however it ends.
     */
    static Mono<Void> write(ServerHttpResponse response, FileChannel channel, List<BodySegment> segments) {
        Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        if (nativeResponse instanceof HttpServerResponse netty && passesFileRegions(netty)) {
            return sendFileRegions(response, netty, channel, segments);
        }
        return copy(response, channel, segments);
    }

    private static Mono<Void> sendFileRegions(ServerHttpResponse response, HttpServerResponse netty,
            FileChannel channel, List<BodySegment> segments) {
        SharedChannel shared = new SharedChannel(channel);
        // setComplete() commits Spring's side (status, headers, cookies onto the Netty response) without writing;
        // then() writes the headers. Each segment is its own write: Reactor Netty's send of a stream of messages
        // skips those it counts as empty, which a FileRegion is to it, and its send of a single ByteBuf means a
        // whole response, so the bytes between regions go as HttpContent.
        Mono<Void> sent = response.setComplete().then(Mono.defer(netty::then));
        for (BodySegment segment : segments) {
            if (segment.length() > 0) {
                sent = sent.then(Mono.defer(() -> netty.sendObject(message(segment, shared)).then()));
            }
        }
        return sent.doFinally(signal -> shared.release());
    }

    private static Object message(BodySegment segment, SharedChannel shared) {
        return segment instanceof BodySegment.Region region
                ? shared.region(region.position(), region.count())
                : new DefaultHttpContent(Unpooled.wrappedBuffer(((BodySegment.Bytes) segment).bytes()));
    }

    /**
     * Whether the connection takes a {@code FileRegion} as it is: Reactor Netty itself falls back to chunks for TLS,
     * compression and HTTP/2 streams.
     */
    private static boolean passesFileRegions(HttpServerResponse response) {
        AtomicBoolean plain = new AtomicBoolean();
        response.withConnection(connection -> {
            Channel channel = connection.channel();
            plain.set(!(channel instanceof Http2StreamChannel) && channel.pipeline().get(SslHandler.class) == null
                    && channel.pipeline().get(NettyPipeline.CompressionHandler) == null);
        });
        return plain.get();
    }

    private static Mono<Void> copy(ServerHttpResponse response, FileChannel channel, List<BodySegment> segments) {
        DataBufferFactory buffers = response.bufferFactory();
        Flux<DataBuffer> body = Flux.fromIterable(segments)
            .concatMap(segment -> segment instanceof BodySegment.Region region
                    ? read(channel, region, buffers)
                    : Mono.just(buffers.wrap(((BodySegment.Bytes) segment).bytes())));
        return response.writeWith(body).doFinally(signal -> closeQuietly(channel));
    }

    private static Flux<DataBuffer> read(FileChannel channel, BodySegment.Region region, DataBufferFactory buffers) {
        long end = region.position() + region.count();
        return Flux.generate(region::position, (position, sink) -> {
            if (position >= end) {
                sink.complete();
                return position;
            }
            ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(COPY_CHUNK, end - position));
            try {
                while (chunk.hasRemaining()) {
                    if (channel.read(chunk, position + chunk.position()) < 0) {
                        throw new IOException("The file ended at " + (position + chunk.position()) + " bytes, before "
                                + end);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sink.next(buffers.wrap(chunk.flip()));
            return position + chunk.limit();
        });
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // A read-only channel has nothing to flush; there is nothing to report.
        }
    }

    /**
     * The channel, closed when this sender and every region made from it have been released: Netty releases a region
     * once it is written, or dropped when the connection fails.
     */
    private static final class SharedChannel extends AbstractReferenceCounted {

        private final FileChannel channel;

        SharedChannel(FileChannel channel) {
            this.channel = channel;
        }

        DefaultFileRegion region(long position, long count) {
            retain();
            return new DefaultFileRegion(this.channel, position, count) {
                @Override
                protected void deallocate() {
                    // Not super.deallocate(), which would close the channel that later regions still need.
                    SharedChannel.this.release();
                }
            };
        }

        @Override
        protected void deallocate() {
            closeQuietly(this.channel);
        }

        @Override
        public ReferenceCounted touch(Object hint) {
            return this;
        }
    }
}
