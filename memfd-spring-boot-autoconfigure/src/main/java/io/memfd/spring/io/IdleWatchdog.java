package io.memfd.spring.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.memfd.MemFd;

/**
 * Closes a memfd whose blocking upload made no progress for the idle timeout, so that a stalled client holds its
 * memory and budget no longer than that. A blocked servlet read cannot be woken from another thread (neither Tomcat
 * nor Jetty returns from it on interrupt), so the reading thread learns of it only when its read returns, at the
 * latest at the container's own read timeout; then the write into the closed memfd fails and the upload is answered
 * as stalled.
 */
final class IdleWatchdog {

    private final MemFd memfd;
    private final long timeoutNanos;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean done;
    private volatile boolean fired;

    IdleWatchdog(MemFd memfd, Duration timeout) {
        this.memfd = memfd;
        this.timeoutNanos = timeout.toNanos();
        checkIn(this.timeoutNanos);
    }

    /** {@code content}, reporting each read that returned bytes as progress. */
    InputStream watch(InputStream content) {
        return new FilterInputStream(content) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return progress(super.read(b, off, len));
            }

            @Override
            public int read() throws IOException {
                int read = super.read();
                progress(read >= 0 ? 1 : 0);
                return read;
            }
        };
    }

    /** Whether the memfd was closed for want of progress. */
    boolean fired() {
        return this.fired;
    }

    void stop() {
        this.done = true;
    }

    private int progress(int read) {
        if (read > 0) {
            this.lastProgress = System.nanoTime();
        }
        return read;
    }

    private void checkIn(long nanos) {
        CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS).execute(this::check);
    }

    private void check() {
        if (this.done) {
            return;
        }
        long left = this.lastProgress + this.timeoutNanos - System.nanoTime();
        if (left > 0) {
            checkIn(left);
            return;
        }
        this.fired = true;
        this.memfd.close();
    }
}
