package io.memfd.spring.web.servlet;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import jakarta.servlet.ServletOutputStream;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotWritableException;
import org.springframework.http.converter.ResourceHttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;

import io.memfd.MemFdClosedException;
import io.memfd.spring.io.MemFdResource;
import io.memfd.spring.io.NamedMemFdResource;

/**
 * Writes a {@link MemFdResource} returned from a Spring MVC controller: on Jetty as read-only mappings handed to the
 * container without a copy through Java memory ({@link MappedResponseBody}), elsewhere from a descriptor of the
 * response's own, in 64 KiB reads into a pooled buffer handed to the servlet container.
 *
 * <p>Spring's {@link ResourceHttpMessageConverter} would read it through {@code MemFd}'s own descriptor: a memfd closed
 * while the response is under way (a deleted blob) would cut the response short. Here the descriptor is opened before
 * the first byte, so the response finishes with the bytes it started with (the kernel keeps them for as long as a
 * descriptor refers to them), and it reads in an eighth of the calls. Tomcat still writes them to the socket
 * through its 8 KiB socket buffer, as it does a file's; its {@code sendfile} takes a file name that it opens after the
 * servlet has returned, and a {@code /proc/self/fd/N} name cannot be proven to outlive that (see docs/BENCHMARKS.md).
 *
 * <p>Headers are Spring's ({@code Content-Length}, {@code Accept-Ranges}), except that, unless the controller set a
 * {@code Content-Type}, it is the one the memfd's name implies rather than whatever content negotiation picked (with
 * Jackson present, {@code application/json}). Ranges stay with Spring's {@code ResourceRegionHttpMessageConverter}.
 */
public class MemFdResourceHttpMessageConverter extends ResourceHttpMessageConverter {

    static final int CHUNK = 64 * 1024;

    /** A response borrows a buffer and gives it back, so that the heap per request does not grow with the size. */
    private static final int POOLED_BUFFERS = 16;

    private final Queue<ByteBuffer> buffers = new ConcurrentLinkedQueue<>();

    public MemFdResourceHttpMessageConverter() {
        super(false);
    }

    /** Also {@code memfd:} locations, which {@link MemFdLocationPinning} turns into their buffer before writing. */
    @Override
    protected boolean supports(Class<?> type) {
        return MemFdResource.class.isAssignableFrom(type) || NamedMemFdResource.class.isAssignableFrom(type);
    }

    /** Only for writing: reading a request body into a memfd is {@code MemFdResources.createSealed}'s job. */
    @Override
    public boolean canRead(Class<?> type, @Nullable MediaType mediaType) {
        return false;
    }

    @Override
    protected void addDefaultHeaders(HttpHeaders headers, Resource resource, @Nullable MediaType contentType)
            throws IOException {
        try {
            MemFdResource memfd = memFd(resource);
            super.addDefaultHeaders(headers, memfd, getDefaultContentType(memfd));
        } catch (FileNotFoundException e) {
            throw notFound(e);
        }
    }

    @Override
    protected void writeContent(Resource resource, HttpOutputMessage message)
            throws IOException, HttpMessageNotWritableException {
        try {
            write(memFd(resource), message);
        } catch (FileNotFoundException e) {
            // Closed after the headers were computed, before the first byte: still nothing sent.
            throw notFound(e);
        }
    }

    /**
     * The buffer to send: a {@code memfd:} location reaches here as itself only where {@link MemFdLocationPinning} is
     * not registered, and is then looked up for each use.
     */
    private static MemFdResource memFd(Resource resource) throws FileNotFoundException {
        return (resource instanceof NamedMemFdResource named) ? named.resolve() : (MemFdResource) resource;
    }

    /** A memfd closed before its response began is a resource that no longer exists, as on WebFlux. */
    private static ResponseStatusException notFound(FileNotFoundException e) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, e.getMessage(), e);
    }

    private void write(MemFdResource memfd, HttpOutputMessage message) throws IOException {
        MappedResponseBody mapped = MappedResponseBody.prepare(memfd.getMemFd(), 0, announcedLength(memfd, message),
                message);
        if (mapped != null) {
            message.getBody();
            mapped.send();
            return;
        }
        try (FileChannel channel = open(memfd)) {
            // getBody() writes the headers; Spring wraps the servlet's stream in one that hides write(ByteBuffer).
            OutputStream body = message.getBody();
            if (message instanceof ServletServerHttpResponse servlet) {
                send(channel, servlet.getServletResponse().getOutputStream());
            } else {
                channel.transferTo(0, channel.size(), Channels.newChannel(body));
            }
        }
    }

    /** The Content-Length already set, so that a memfd grown since (sealed SHRINK but not GROW) is not overrun. */
    private static long announcedLength(MemFdResource resource, HttpOutputMessage message) throws IOException {
        long length = message.getHeaders().getContentLength();
        return (length >= 0) ? length : resource.contentLength();
    }

    private static FileChannel open(MemFdResource resource) throws IOException {
        try {
            return resource.getMemFd().newFileChannel();
        } catch (MemFdClosedException e) {
            throw new FileNotFoundException(resource.getDescription() + " was closed before it could be sent");
        }
    }

    /**
     * In {@value #CHUNK}-byte reads into a pooled array, written as arrays: Tomcat's {@code write(ByteBuffer)} copies a
     * direct buffer into a new array per call (measured: 8 MiB of heap for 8 MiB sent), its array path does not.
     */
    private void send(FileChannel channel, ServletOutputStream out) throws IOException {
        ByteBuffer buffer = borrow();
        try {
            long position = 0;
            for (int read = channel.read(buffer, position); read > 0; read = channel.read(buffer.clear(), position)) {
                position += read;
                out.write(buffer.array(), 0, read);
            }
        } finally {
            giveBack(buffer);
        }
    }

    private ByteBuffer borrow() {
        ByteBuffer buffer = this.buffers.poll();
        return (buffer != null) ? buffer.clear() : ByteBuffer.allocate(CHUNK);
    }

    private void giveBack(ByteBuffer buffer) {
        if (this.buffers.size() < POOLED_BUFFERS) {
            this.buffers.offer(buffer);
        }
    }
}
