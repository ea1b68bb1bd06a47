package io.memfd.spring.web.servlet;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import io.memfd.MemFd;
import io.memfd.MemFdClosedException;
import io.memfd.MemFdException;
import io.memfd.Seal;

/**
 * A range of a memfd sent to Jetty as read-only mappings, so that the bytes go from the memfd's pages to the socket
 * without a copy through Java memory: Jetty's {@code HttpOutput.write(ByteBuffer)} hands a direct buffer to the
 * socket as it is (measured on Jetty 12.1, 64 MiB: 61-77 write calls and 28 KB of heap per response, against about
 * 2,150 and 800 KB for the same bytes copied, or from a {@code /dev/shm} file; see docs/BENCHMARKS.md).
 *
 * <p>{@link #prepare} decides before any header is written, and answers {@code null} wherever the bytes must be
 * copied instead, logging the reason once at debug level:
 * <ul>
 * <li>the container is not Jetty: Tomcat copies any buffer it is given through its own socket buffer, and its
 * {@code write(ByteBuffer)} copies a direct one into a new heap array;
 * <li>a filter wrapped the response (an ETag filter caching the body, a security wrapper tracking it): its stream
 * must see every byte, and the Servlet API's default {@code write(ByteBuffer)} copies a direct buffer to the heap
 * whole. Only Spring MVC's own async-lifecycle wrapper is looked through, and only outside async processing, where
 * it guards nothing;
 * <li>the memfd is not sealed against shrinking: a mapping of a file that shrinks kills the JVM with {@code SIGBUS},
 * so only a {@link Seal#SHRINK}-sealed memfd is mapped (and never made unshrinkable behind its owner's back);
 * <li>mapping failed (for instance past {@code vm.max_map_count}), or {@link LiveMappings 4096 mappings} made here are
 * not yet collected.
 * </ul>
 * A memfd closed before the response began is a {@link FileNotFoundException} (404), as on the copy path. Once mapped,
 * the bytes stay readable even if the memfd is closed meanwhile: the kernel frees the pages when the last mapping
 * goes, which the JVM does when the garbage collector finds the buffer unreachable.
 */
final class MappedResponseBody {

    private static final Log logger = LogFactory.getLog(MappedResponseBody.class);

    /** Jetty's servlet output stream (Boot 4 runs Jetty's EE 11 environment). */
    private static final @Nullable Class<?> JETTY_OUTPUT = resolve("org.eclipse.jetty.ee11.servlet.HttpOutput");

    /** Spring MVC wraps every handler's response in this, to refuse writes once async processing has ended. */
    private static final String SPRING_LIFECYCLE_RESPONSE =
            "org.springframework.web.context.request.async.StandardServletAsyncWebRequest$LifecycleHttpServletResponse";

    /** The largest mapping made at once: a MappedByteBuffer holds at most 2 GiB, and 1 GiB is huge-page aligned. */
    static final long WINDOW = 1L << 30;

    private static final Set<Seal> SHRINK = EnumSet.of(Seal.SHRINK);

    /** Far below vm.max_map_count's default of 65530, far above what the requests in flight need. */
    private static final LiveMappings liveMappings = new LiveMappings(4096);

    private static final Set<String> loggedFallbacks = ConcurrentHashMap.newKeySet();

    private final ServletOutputStream out;

    private final List<ByteBuffer> mappings;

    private MappedResponseBody(ServletOutputStream out, List<ByteBuffer> mappings) {
        this.out = out;
        this.mappings = mappings;
    }

    /**
     * The {@code length} bytes at {@code position} of {@code memfd} as mappings ready to send to {@code message},
     * or {@code null} where they must be copied instead.
     *
     * @throws FileNotFoundException if the memfd is closed
     */
    static @Nullable MappedResponseBody prepare(MemFd memfd, long position, long length, HttpOutputMessage message)
            throws IOException {
        ServletOutputStream out = jettyOutput(message);
        if (out == null) {
            return null;
        }
        try {
            if (!memfd.hasSeals(SHRINK)) {
                return fallBack("the memfd is not sealed against shrinking (Seal.SHRINK), so mapping it is unsafe");
            }
            List<ByteBuffer> mappings = map(memfd, position, length);
            return (mappings != null) ? new MappedResponseBody(out, mappings)
                    : fallBack("4096 mappings made for responses are not yet collected (vm.max_map_count)");
        } catch (MemFdClosedException e) {
            FileNotFoundException notFound = new FileNotFoundException(memfd.name() + " was closed before it could"
                    + " be sent");
            notFound.initCause(e);
            throw notFound;
        } catch (MemFdException e) {
            logger.debug("Mapping " + memfd.name() + " failed", e);
            return fallBack("mapping failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Writes the mappings, each handed to the container whole; blocks until the last is written. */
    void send() throws IOException {
        for (ByteBuffer mapping : this.mappings) {
            this.out.write(mapping);
        }
    }

    /**
     * Mappings of whole windows (offsets that are multiples of {@link #WINDOW}, so that hugetlbfs accepts them),
     * each narrowed to its part of the range; {@code null} past the cap on live mappings.
     */
    private static @Nullable List<ByteBuffer> map(MemFd memfd, long position, long length) {
        List<ByteBuffer> mappings = new ArrayList<>();
        long size = memfd.size();
        long end = position + length;
        for (long window = position - position % WINDOW; window < end; window += WINDOW) {
            if (!liveMappings.reserve()) {
                return null;
            }
            ByteBuffer mapping;
            try {
                mapping = memfd.mapReadOnly(window, Math.min(WINDOW, size - window));
            } catch (RuntimeException e) {
                liveMappings.release();
                throw e;
            }
            liveMappings.releaseWhenUnreachable(mapping);
            long from = Math.max(position, window);
            long to = Math.min(end, window + WINDOW);
            mappings.add(mapping.position((int) (from - window)).limit((int) (to - window)).slice());
        }
        return mappings;
    }

    /** Jetty's own output stream of this response, if nothing stands between it and the converter. */
    private static @Nullable ServletOutputStream jettyOutput(HttpOutputMessage message) throws IOException {
        if (JETTY_OUTPUT == null) {
            return fallBack("the servlet container is not Jetty");
        }
        if (!(message instanceof ServletServerHttpResponse servlet)) {
            return fallBack("the response is not a servlet response");
        }
        if (asyncStarted()) {
            return fallBack("the response is written during async processing");
        }
        ServletResponse response = servlet.getServletResponse();
        if (response.getClass().getName().equals(SPRING_LIFECYCLE_RESPONSE)) {
            response = ((ServletResponseWrapper) response).getResponse();
        }
        if (response instanceof ServletResponseWrapper) {
            return fallBack("a filter wrapped the response in " + response.getClass().getName());
        }
        ServletOutputStream out = response.getOutputStream();
        return JETTY_OUTPUT.isInstance(out) ? out
                : fallBack("the response's stream is " + out.getClass().getName() + ", not Jetty's");
    }

    /** Whether async processing has started on this request (writes may then race with its end); true if unknown. */
    private static boolean asyncStarted() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (!(attributes instanceof ServletRequestAttributes servlet)) {
            return true;
        }
        HttpServletRequest request = servlet.getRequest();
        return request.isAsyncStarted();
    }

    private static <T> @Nullable T fallBack(String reason) {
        if (loggedFallbacks.add(reason) && logger.isDebugEnabled()) {
            logger.debug("Copying memfd responses instead of sending them as mappings, because " + reason
                    + " (logged once)");
        }
        return null;
    }

    private static @Nullable Class<?> resolve(String className) {
        ClassLoader loader = MappedResponseBody.class.getClassLoader();
        return ClassUtils.isPresent(className, loader) ? ClassUtils.resolveClassName(className, loader) : null;
    }
}
