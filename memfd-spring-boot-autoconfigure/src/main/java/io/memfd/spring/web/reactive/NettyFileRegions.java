package io.memfd.spring.web.reactive;

import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.ClassUtils;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Sends file regions of an open {@link FileChannel} as Netty {@link DefaultFileRegion}s, which Netty's epoll and NIO
 * transports send with {@code sendfile(2)}: the bytes go from the page cache to the socket, never through the Java
 * heap. Only this class touches Netty and Reactor Netty, so that the rest works where they are absent.
 */
final class NettyFileRegions {

    private static final String STALL_WATCH = "memfd.stallWatch";

    private static final String WRITABLE_AGAIN = "memfd.writableAgain";

    private NettyFileRegions() {
    }

    /**
     * Why {@code response} cannot take file regions, or {@code null} when it can: it must be Reactor Netty's, on a
     * connection without TLS (the JVM must encrypt the bytes), HTTP/2 (streams take no file region) or response
     * compression (which must see the bytes), the cases where Reactor Netty's own {@code sendFile} copies too.
     */
    static @Nullable String refusal(Object nativeResponse) {
        if (!(nativeResponse instanceof HttpServerResponse netty)) {
            return "the server is not Reactor Netty";
        }
        AtomicReference<String> refusal = new AtomicReference<>();
        netty.withConnection((connection) -> {
            Channel channel = connection.channel();
            if (channel instanceof Http2StreamChannel) {
                refusal.set("the connection is HTTP/2");
            } else if (channel.pipeline().get(SslHandler.class) != null) {
                refusal.set("the connection uses TLS");
            } else if (channel.pipeline().get(NettyPipeline.CompressionHandler) != null) {
                refusal.set("responses may be compressed");
            }
        });
        return refusal.get();
    }

    /**
     * Closes the connection of {@code nativeResponse} (if it is Reactor Netty's) when it makes no progress for
     * {@code idle}: no byte of a pending write, a file region's included, taken by the client; or when, from
     * {@code idle} on, the response has been sent slower than {@code minimumRate} bytes per second on average
     * (0: no minimum). Reactor Netty has no write timeout, so a client that stops reading, or reads a few bytes now
     * and then, would keep the response, and with it the file's pages, for as long as it likes. Returns what ends the
     * watch, once the response is over.
     */
    static Runnable closeWhenStalled(Object nativeResponse, Duration idle, long minimumRate, SendProgress progress) {
        if (!(nativeResponse instanceof HttpServerResponse netty)) {
            return () -> { };
        }
        netty.withConnection((connection) -> connection.addHandlerLast(STALL_WATCH,
                new StallWatch(idle, minimumRate, progress)));
        return () -> netty.withConnection((connection) -> connection.removeHandler(STALL_WATCH));
    }

    /**
     * Completes once the connection of {@code nativeResponse} can take more bytes without queueing them in memory
     * (Netty's writability: what waits to be sent is under the channel's high water mark), or has closed (a write then
     * fails); at once when it can now, or when the response is not Reactor Netty's. Reactor Netty asks a body for 128
     * buffers ahead whether or not the client reads them, so a copied response waits for this before each buffer it
     * reads: otherwise every client that stops reading would hold 128 of them, encrypted copies included, outside
     * any limit of memfd's.
     */
    static Mono<Void> whenWritable(Object nativeResponse) {
        if (!(nativeResponse instanceof HttpServerResponse netty)) {
            return Mono.empty();
        }
        return Mono.create((sink) -> netty.withConnection((connection) -> {
            Channel channel = connection.channel();
            // On the event loop, where writability changes: it cannot change between the check and the handler.
            channel.eventLoop().execute(() -> {
                if (channel.isWritable() || !channel.isActive()) {
                    sink.success();
                } else {
                    connection.addHandlerLast(WRITABLE_AGAIN, new WritableAgain(sink));
                }
            });
        }));
    }

    /**
     * Commits the response (status and headers as set) and writes {@code segments}; {@code channel} is closed once
     * Netty has released the last region, however the response ends.
     */
    static Mono<Void> write(ServerHttpResponse response, Object nativeResponse, FileChannel channel,
            List<ByteRanges.Segment> segments, SendProgress progress) {
        HttpServerResponse netty = (HttpServerResponse) nativeResponse;
        SharedChannel shared = new SharedChannel(channel);
        // setComplete() commits Spring's side (status, headers, cookies onto the Netty response) without writing;
        // then() writes the headers. Each segment is its own write: Reactor Netty's send of a stream of messages
        // skips those it counts as empty, which a FileRegion is to it, and its send of a single ByteBuf means a whole
        // response, so the bytes between regions go as HttpContent.
        Mono<Void> sent = response.setComplete().then(Mono.defer(netty::then));
        for (ByteRanges.Segment segment : segments) {
            if (segment.length() > 0) {
                sent = sent.then(Mono.defer(() -> netty.sendObject(message(segment, shared, progress)).then()));
            }
        }
        return sent.doFinally((signal) -> shared.release());
    }

    private static Object message(ByteRanges.Segment segment, SharedChannel shared, SendProgress progress) {
        return (segment instanceof ByteRanges.Segment.Region region)
                ? progress.watch(shared.region(region.position(), region.count()))
                : new DefaultHttpContent(Unpooled.wrappedBuffer(((ByteRanges.Segment.Bytes) segment).bytes()));
    }

    /**
     * Closes the connection once writes have made no progress for the idle time (output observed, not just ends) and
     * the kernel sent nothing of it either. A client that reads slowly drains the socket's send buffer (up to a few
     * MiB) slowly, and Netty can write again only once much of it is free, so Netty's own progress stops for minutes
     * while the client reads all the time: the kernel's last send (TCP_INFO, on Netty's epoll transport) tells the two
     * apart. The kernel's sends do not tell an honest slow reader from one that takes a few bytes within every idle
     * time to hold the response for ever: the minimum rate does, checked every idle time from the first on, whatever
     * Netty's progress (a client could time its reads to let Netty write a little each time).
     */
    private static final class StallWatch extends IdleStateHandler {

        private final long idleMillis;

        private final long minimumRate;

        private final SendProgress progress;

        private long startNanos;

        private @Nullable ScheduledFuture<?> rateCheck;

        StallWatch(Duration idle, long minimumRate, SendProgress progress) {
            super(true, 0, idle.toNanos(), 0, TimeUnit.NANOSECONDS);
            this.idleMillis = idle.toMillis();
            this.minimumRate = minimumRate;
            this.progress = progress;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext context) throws Exception {
            super.handlerAdded(context);
            this.startNanos = System.nanoTime();
            if (this.minimumRate > 0) {
                this.rateCheck = context.executor().scheduleAtFixedRate(() -> closeIfTooSlow(context),
                        this.idleMillis, this.idleMillis, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext context) throws Exception {
            if (this.rateCheck != null) {
                this.rateCheck.cancel(false);
            }
            super.handlerRemoved(context);
        }

        @Override
        protected void channelIdle(ChannelHandlerContext context, IdleStateEvent event) {
            if (event.state() == IdleState.WRITER_IDLE && !KernelSends.within(context.channel(), this.idleMillis)) {
                context.close();
            }
        }

        private void closeIfTooSlow(ChannelHandlerContext context) {
            double seconds = (System.nanoTime() - this.startNanos) / 1e9;
            if (this.progress.bytes() < this.minimumRate * seconds) {
                context.close();
            }
        }
    }

    /** What the kernel says of a connection's sending, where Netty's epoll transport can ask it. */
    private static final class KernelSends {

        private static final boolean EPOLL_PRESENT = ClassUtils.isPresent("io.netty.channel.epoll.EpollSocketChannel",
                KernelSends.class.getClassLoader());

        /** Whether the kernel sent data of {@code channel}'s connection within the last {@code millis}. */
        static boolean within(Channel channel, long millis) {
            Channel connection = (channel instanceof Http2StreamChannel) ? channel.parent() : channel;
            return EPOLL_PRESENT && Epoll.lastDataSentMillis(connection) < millis;
        }

        /** Apart, so that no epoll class is loaded where the transport is absent. */
        private static final class Epoll {

            static long lastDataSentMillis(Channel connection) {
                return (connection instanceof EpollSocketChannel epoll && epoll.isActive())
                        ? epoll.tcpInfo().lastDataSent() : Long.MAX_VALUE;
            }
        }
    }

    /** Signals, once, that the channel became writable again or closed, and leaves the pipeline. */
    private static final class WritableAgain extends ChannelInboundHandlerAdapter {

        private final MonoSink<Void> sink;

        WritableAgain(MonoSink<Void> sink) {
            this.sink = sink;
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext context) {
            if (context.channel().isWritable()) {
                context.pipeline().remove(this);
            }
            context.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            context.pipeline().remove(this);
            context.fireChannelInactive();
        }

        /** Removed by itself, or with the response's other handlers when the response ends. */
        @Override
        public void handlerRemoved(ChannelHandlerContext context) {
            this.sink.success();
        }
    }

    /**
     * The channel, closed when the writer and every region made from it have been released: Netty releases a region
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
            MemFdResourceHttpMessageWriter.closeQuietly(this.channel);
        }

        @Override
        public ReferenceCounted touch(Object hint) {
            return this;
        }
    }
}
