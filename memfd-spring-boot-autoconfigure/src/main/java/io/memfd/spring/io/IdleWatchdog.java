package io.memfd.spring.io;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action when a blocking upload made no progress for the idle timeout, so that a stalled client holds its
 * memory and budget no longer than that. A blocked servlet read cannot be woken from another thread (neither Tomcat
 * nor Jetty returns from it on interrupt), so the action closes the memfd and the reading thread learns of it only
 * when its read returns, at the latest at the container's own read timeout.
 */
final class IdleWatchdog {

    private final long timeoutNanos;
    private final Runnable onIdle;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean done;

    IdleWatchdog(Duration timeout, Runnable onIdle) {
        this.timeoutNanos = timeout.toNanos();
        this.onIdle = onIdle;
        checkIn(this.timeoutNanos);
    }

    /** Reports that bytes arrived. */
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
        long left = this.lastProgress + this.timeoutNanos - System.nanoTime();
        if (left > 0) {
            checkIn(left);
            return;
        }
        this.onIdle.run();
    }
}
