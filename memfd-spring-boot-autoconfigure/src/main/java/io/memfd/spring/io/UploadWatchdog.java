package io.memfd.spring.io;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.springframework.util.unit.DataSize;

/**
 * Drops a streamed upload whose client stalls or crawls, so that it holds its memfd's memory, budget and place under
 * {@code memfd.max-count} no longer than that: when no bytes came for the idle timeout, or, with a minimum rate, when
 * the upload has run longer than the idle timeout and its bytes average less than the minimum rate since it began
 * while they still come (a client that has gone quiet is dropped by the idle rule, which says so).
 * The average rather than each second's rate: a client may pause, but keeping an upload open costs it bytes in
 * proportion to the time, so one byte every few seconds holds nothing for long.
 *
 * <p>The watchdog aborts the upload through {@link MemFdUploads}, which closes the memfd at once. A blocked servlet
 * read cannot be woken from another thread (neither Tomcat nor Jetty returns from it on interrupt): the reading thread
 * learns of the abort only when its read returns, at the latest at the container's own read timeout.
 */
final class UploadWatchdog {

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final MemFdUploads uploads;
    private final MemFdUploads.Tracked upload;
    private final Duration idleTimeout;
    private final long minimumBytesPerSecond;
    private final long startedAt = System.nanoTime();
    private volatile long lastProgress = this.startedAt;
    private volatile boolean done;

    /**
     * Starts watching {@code upload}.
     *
     * @param minimumBytesPerSecond on average since the upload began; zero for no minimum
     */
    UploadWatchdog(MemFdUploads uploads, MemFdUploads.Tracked upload, Duration idleTimeout,
            long minimumBytesPerSecond) {
        this.uploads = uploads;
        this.upload = upload;
        this.idleTimeout = idleTimeout;
        this.minimumBytesPerSecond = minimumBytesPerSecond;
        checkIn(idleTimeout.toNanos());
    }

    /**
     * Refuses settings that would drop every upload or none by mistake.
     *
     * @throws IllegalArgumentException if the idle timeout is not positive or the minimum rate is negative
     */
    static void checkSettings(Duration idleTimeout, DataSize minimumRate) {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("The idle timeout must be positive, not " + idleTimeout);
        }
        if (minimumRate.isNegative()) {
            throw new IllegalArgumentException("The minimum rate must not be negative, not " + minimumRate);
        }
    }

    /** Reports that bytes arrived (counted by the upload itself). */
    void progress() {
        this.lastProgress = System.nanoTime();
    }

    void stop() {
        this.done = true;
    }

    private void checkIn(long nanos) {
        CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS).execute(this::check);
    }

    private void check() {
        if (this.done) {
            return;
        }
        long now = System.nanoTime();
        long idleLeft = this.lastProgress + this.idleTimeout.toNanos() - now;
        if (idleLeft <= 0) {
            this.uploads.abort(this.upload, this.upload.stalled(this.idleTimeout));
            return;
        }
        long next = idleLeft;
        if (this.minimumBytesPerSecond > 0) {
            long paidLeft = this.startedAt + Math.max(this.idleTimeout.toNanos(), paidFor(this.upload.receivedBytes()))
                    - now;
            if (paidLeft <= 0) {
                long quiet = this.idleTimeout.toNanos() / 4;
                if (now - this.lastProgress < quiet) {
                    this.uploads.abort(this.upload, this.upload.tooSlow(this.minimumBytesPerSecond,
                            Duration.ofNanos(now - this.startedAt)));
                    return;
                }
                // A client gone quiet is left to the idle rule, whose message says what happened; look again soon.
                paidLeft = quiet;
            }
            next = Math.min(next, paidLeft);
        }
        checkIn(next);
    }

    /** How long {@code bytes} keep the average at the minimum rate, in nanoseconds from the start. */
    private long paidFor(long bytes) {
        double nanos = (double) bytes / this.minimumBytesPerSecond * NANOS_PER_SECOND;
        return (nanos >= Long.MAX_VALUE / 2) ? Long.MAX_VALUE / 2 : (long) nanos;
    }
}
