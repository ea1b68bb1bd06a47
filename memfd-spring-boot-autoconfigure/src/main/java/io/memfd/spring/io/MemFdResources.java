package io.memfd.spring.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;
import org.springframework.util.unit.DataSize;

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

    private final MemFdUploads uploads;

    private final @Nullable Duration idleTimeout;

    private final long minimumBytesPerSecond;

    /** Without an idle timeout; streamed uploads are listed by a {@link MemFdUploads} of their own. */
    public MemFdResources(MemFdFactory factory) {
        this.factory = factory;
        this.uploads = new MemFdUploads();
        this.idleTimeout = null;
        this.minimumBytesPerSecond = 0;
    }

    /** With an idle timeout; streamed uploads are listed by a {@link MemFdUploads} of their own. */
    public MemFdResources(MemFdFactory factory, Duration idleTimeout) {
        this(factory, new MemFdUploads(), idleTimeout);
    }

    /**
     * With an idle timeout and no minimum rate; see
     * {@link #MemFdResources(MemFdFactory, MemFdUploads, Duration, DataSize)}.
     */
    public MemFdResources(MemFdFactory factory, MemFdUploads uploads, Duration idleTimeout) {
        this(factory, uploads, idleTimeout, DataSize.ofBytes(0));
    }

    /**
     * @param uploads where streams given to {@link #createSealed(String, InputStream)} are listed while they are
     *     copied, and can be cancelled
     * @param idleTimeout longest wait for the next bytes of such a stream; past it the memfd is closed and the upload
     *     fails as stalled
     * @param minimumRate bytes per second such a stream must average once it has run for the idle timeout, or it
     *     fails as stalled as well; zero for no minimum
     */
    public MemFdResources(MemFdFactory factory, MemFdUploads uploads, Duration idleTimeout, DataSize minimumRate) {
        UploadWatchdog.checkSettings(idleTimeout, minimumRate);
        this.factory = factory;
        this.uploads = uploads;
        this.idleTimeout = idleTimeout;
        this.minimumBytesPerSecond = minimumRate.toBytes();
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
     * behind. While it is copied, the upload is listed by {@link #uploads()}, and {@link MemFdUploads#cancel} closes
     * its memfd at once; with an idle timeout, so does a stream that yields nothing for that long, or (with a minimum
     * rate) one that averages less once it has run that long. Either way the
     * memory and budget are freed at once, and the call fails with {@link UploadAbortedException} ({@code CANCELLED},
     * {@code STALLED}) once the stream's read returns: a blocked read cannot be woken from another thread.
     */
    public MemFdResource createSealed(String name, InputStream content) throws IOException {
        InvalidMemFdNameException.check(this.factory, name);
        MemFd memfd;
        Ending ending;
        MemFdUploads.Tracked upload;
        try (MemFdUploads.Starting starting = this.uploads.starting()) {
            memfd = this.factory.create(name);
            ending = new Ending(memfd);
            upload = this.uploads.track(memfd.info().id(), memfd.name(), ending::abort);
        }
        UploadWatchdog watchdog = (this.idleTimeout != null)
                ? new UploadWatchdog(this.uploads, upload, this.idleTimeout, this.minimumBytesPerSecond) : null;
        UploadAbortedException aborted;
        try {
            memfd.append(new ProgressStream(content, upload, watchdog));
            aborted = ending.finish();
            if (aborted == null) {
                this.factory.seal(memfd);
                return new MemFdResource(memfd);
            }
        } catch (IOException | RuntimeException e) {
            memfd.close();
            if (isReadTimeout(e)) {
                // The server's own read timeout came first (it may be shorter than ours): a stall all the same.
                ending.abort(upload.stalledPastServerTimeout());
            }
            ending.fail(e);
            throw e;
        } finally {
            if (watchdog != null) {
                watchdog.stop();
            }
            this.uploads.untrack(upload);
        }
        throw aborted;
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

    /** Whether {@code failure} is a read that timed out: Tomcat's {@code SocketTimeoutException}, Jetty's idle one. */
    private static boolean isReadTimeout(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException || cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The streamed uploads in progress. */
    public MemFdUploads uploads() {
        return this.uploads;
    }

    /**
     * How a blocking upload ends: finished by the thread that copies it, or aborted (cancelled, stalled) from another
     * thread, whichever comes first; an abort that comes later does nothing, so a finished resource is never closed
     * under its caller.
     */
    private static final class Ending {

        private final MemFd memfd;
        private @Nullable UploadAbortedException aborted;
        private boolean finished;

        Ending(MemFd memfd) {
            this.memfd = memfd;
        }

        /**
         * Closes the memfd at once, freeing its memory and budget, unless the upload finished or was aborted first;
         * the copying thread fails at its next write. Returns whether it did.
         */
        synchronized boolean abort(UploadAbortedException reason) {
            if (this.finished || this.aborted != null) {
                return false;
            }
            this.aborted = reason;
            this.memfd.close();
            return true;
        }

        /** Ends the race, won by the copying thread unless an abort came first: returns that abort, or null. */
        synchronized @Nullable UploadAbortedException finish() {
            this.finished = true;
            return this.aborted;
        }

        /**
         * Ends the race after {@code failure}; if an abort came first, that is what happened: throws it, with the
         * failure suppressed rather than as its cause. The failure is often the container's read timing out, which
         * Spring MVC takes for a client gone away when it finds it among the causes, and then answers nothing.
         */
        synchronized void fail(Exception failure) {
            this.finished = true;
            if (this.aborted != null) {
                this.aborted.addSuppressed(failure);
                throw this.aborted;
            }
        }
    }

    /** The content, reporting each read that returned bytes to the upload's progress and to the watchdog. */
    private static final class ProgressStream extends FilterInputStream {

        private final MemFdUploads.Tracked upload;
        private final @Nullable UploadWatchdog watchdog;

        ProgressStream(InputStream content, MemFdUploads.Tracked upload, @Nullable UploadWatchdog watchdog) {
            super(content);
            this.upload = upload;
            this.watchdog = watchdog;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return progress(super.read(b, off, len));
        }

        @Override
        public int read() throws IOException {
            int read = super.read();
            progress((read >= 0) ? 1 : 0);
            return read;
        }

        private int progress(int read) {
            if (read > 0) {
                this.upload.received(read);
                if (this.watchdog != null) {
                    this.watchdog.progress();
                }
            }
            return read;
        }
    }
}
