package io.memfd.spring.web.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotWritableException;
import org.springframework.http.converter.ResourceHttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;

import io.memfd.MemFdClosedException;
import io.memfd.spring.io.MemFdResource;

/**
 * Writes a {@link MemFdResource} returned from a Spring MVC controller from a descriptor of the response's own, in
 * {@value #CHUNK}-byte reads into a direct buffer, each written to the socket as it is: one {@code pread} and one
 * {@code write} per chunk, no copy through the Java heap, and the same heap per request whatever the size. Spring's
 * {@link ResourceHttpMessageConverter} would copy it through an {@code InputStream} into the servlet container's
 * 8 KiB buffer. Headers are Spring's ({@code Content-Type} from the name, {@code Content-Length}); ranges stay with
 * Spring's {@code ResourceRegionHttpMessageConverter}.
 *
 * <p>The descriptor is opened before the first byte, so a memfd closed meanwhile (a deleted blob) still sends the
 * bytes it had: the kernel keeps them for as long as a descriptor refers to them.
 */
public class MemFdResourceHttpMessageConverter extends ResourceHttpMessageConverter {

    static final int CHUNK = 128 * 1024;

    /** Direct buffers are costly to make (and to free); a request borrows one and gives it back. */
    private static final int POOLED_BUFFERS = 16;

    private final Queue<ByteBuffer> buffers = new ConcurrentLinkedQueue<>();

    public MemFdResourceHttpMessageConverter() {
        super(false);
    }

    @Override
    protected boolean supports(Class<?> type) {
        return MemFdResource.class.isAssignableFrom(type);
    }

    /** Only for writing: reading a request body into a memfd is {@code MemFdResources.createSealed}'s job. */
    @Override
    public boolean canRead(Class<?> type, @Nullable MediaType mediaType) {
        return false;
    }

    @Override
    protected void writeContent(Resource resource, HttpOutputMessage message)
            throws IOException, HttpMessageNotWritableException {
        try (FileChannel channel = open((MemFdResource) resource)) {
            OutputStream body = message.getBody();
            HttpServletResponse servlet = (message instanceof ServletServerHttpResponse response)
                    ? response.getServletResponse() : null;
            if (servlet != null && body instanceof ServletOutputStream out) {
                // A container buffer as large as a chunk lets each chunk go to the socket in one write.
                servlet.setBufferSize(Math.max(servlet.getBufferSize(), CHUNK));
                send(channel, out);
            } else {
                channel.transferTo(0, channel.size(), java.nio.channels.Channels.newChannel(body));
            }
        }
    }

    private static FileChannel open(MemFdResource resource) throws IOException {
        try {
            return resource.getMemFd().newFileChannel();
        } catch (MemFdClosedException e) {
            throw new java.io.FileNotFoundException(resource.getDescription() + " was closed before it could be sent");
        }
    }

    private void send(FileChannel channel, ServletOutputStream out) throws IOException {
        ByteBuffer buffer = borrow();
        try {
            long position = 0;
            for (int read = channel.read(buffer, position); read > 0; read = channel.read(buffer.clear(), position)) {
                position += read;
                out.write(buffer.flip());
            }
        } finally {
            giveBack(buffer);
        }
    }

    private ByteBuffer borrow() {
        ByteBuffer buffer = this.buffers.poll();
        return (buffer != null) ? buffer.clear() : ByteBuffer.allocateDirect(CHUNK);
    }

    private void giveBack(ByteBuffer buffer) {
        if (this.buffers.size() < POOLED_BUFFERS) {
            this.buffers.offer(buffer);
        }
    }
}
