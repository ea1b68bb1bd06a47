package io.memfd.spring.web.reactive;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.codec.multipart.FilePart;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import io.memfd.spring.io.MemFdResource;

/**
 * A multipart file part whose content is a sealed memfd ({@code memfd.web.multipart.enabled=true}). It behaves as any
 * {@link FilePart}; {@link #resource()} gives the memfd itself, to serve or keep without a copy. Spring deletes the
 * parts of a request when its exchange ends, which closes the memfd: to keep it longer, keep a
 * {@link io.memfd.MemFd#dup() dup} of {@code resource().getMemFd()}.
 */
public final class MemFdFilePart implements FilePart {

    private static final int READ_CHUNK = 64 * 1024;

    private final String name;
    private final String filename;
    private final HttpHeaders headers;
    private final MemFdResource resource;

    MemFdFilePart(String name, String filename, HttpHeaders headers, MemFdResource resource) {
        this.name = name;
        this.filename = filename;
        this.headers = headers;
        this.resource = resource;
    }

    @Override
    public String name() {
        return this.name;
    }

    @Override
    public String filename() {
        return this.filename;
    }

    @Override
    public HttpHeaders headers() {
        return this.headers;
    }

    /** The sealed memfd holding the part's content. */
    public MemFdResource resource() {
        return this.resource;
    }

    /** The content, read from the memfd each time it is subscribed. */
    @Override
    public Flux<DataBuffer> content() {
        return DataBufferUtils.readByteChannel(this.resource::readableChannel, DefaultDataBufferFactory.sharedInstance,
                READ_CHUNK);
    }

    /** Copies the content into {@code dest} in the kernel ({@code copy_file_range} or {@code sendfile}). */
    @Override
    public Mono<Void> transferTo(Path dest) {
        return Mono.<Void>fromCallable(() -> {
            try (FileChannel in = this.resource.getMemFd().newFileChannel();
                    FileChannel out = FileChannel.open(dest, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                long size = in.size();
                for (long done = 0; done < size;) {
                    done += in.transferTo(done, size - done, out);
                }
            }
            return null;
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** Closes the memfd; Spring calls it when the exchange ends. */
    @Override
    public Mono<Void> delete() {
        return Mono.fromRunnable(this.resource::close);
    }

    @Override
    public String toString() {
        return "MemFdFilePart{" + this.name + " (" + this.filename + "): " + this.resource.getDescription() + "}";
    }
}
