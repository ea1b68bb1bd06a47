package io.memfd.spring.io;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.memfd.MemFd;
import io.memfd.MemFdClosedException;

/**
 * The uploads being streamed into memfds right now ({@link MemFdResources}, {@link ReactiveMemFdResources}): what
 * they are, how far they got, and a way to cancel one. An unfinished upload is a memfd that already holds memory and
 * budget, so it must be visible ({@code /actuator/memfd} lists these) and stoppable.
 */
public class MemFdUploads {

    private final Map<Long, Tracked> uploads = new ConcurrentHashMap<>();
    private final Clock clock;
    /** Write-held while an upload creates its memfd and tracks it; read-held by look-ups by name. */
    private final ReadWriteLock starts = new ReentrantReadWriteLock();

    public MemFdUploads() {
        this(Clock.systemUTC());
    }

    MemFdUploads(Clock clock) {
        this.clock = clock;
    }

    /** The uploads in progress, oldest first. */
    public List<MemFdUpload> inProgress() {
        return this.uploads.values().stream().map(Tracked::snapshot).sorted(Comparator.comparingLong(MemFdUpload::id))
            .toList();
    }

    /**
     * Cancels the upload into the memfd with this registry id: its memfd is closed at once and the upload fails with
     * {@link UploadAbortedException} ({@link UploadAbortedException.Reason#CANCELLED}).
     *
     * @return whether the upload was cancelled: {@code false} when no such upload is in progress, or when it finished
     *     first (its memfd sealed and handed on; the caller's to close, not this method's)
     */
    public boolean cancel(long id) {
        Tracked upload = this.uploads.get(id);
        return upload != null && abort(upload, new UploadAbortedException(UploadAbortedException.Reason.CANCELLED,
                "The upload of '" + upload.name + "' was cancelled after " + upload.received.get() + " bytes."));
    }

    /**
     * Ends {@code upload} for {@code reason}, unless it finished first, and stops listing it: its memfd is gone, even
     * if a blocking upload's thread still waits in its read. Returns whether it did.
     */
    boolean abort(Tracked upload, UploadAbortedException reason) {
        if (!upload.abort.test(reason)) {
            return false;
        }
        untrack(upload);
        return true;
    }

    /**
     * Starts tracking an upload; {@code abort} ends it when it is cancelled, and says whether it did (an upload that
     * finished first is not aborted).
     */
    Tracked track(long id, String name, Predicate<UploadAbortedException> abort) {
        Tracked upload = new Tracked(id, name, this.clock.instant(), abort);
        this.uploads.put(id, upload);
        return upload;
    }

    void untrack(Tracked upload) {
        this.uploads.remove(upload.id, upload);
    }

    /**
     * Holds off look-ups by name ({@link #lookUp}) until closed: for an upload to create its memfd and
     * {@link #track} it, so that no look-up sees the memfd in between, empty or partly written and not yet tracked.
     */
    Starting starting() {
        Lock lock = this.starts.writeLock();
        lock.lock();
        return lock::unlock;
    }

    /** Runs a look-up by name, never while an upload is between creating its memfd and tracking it. */
    <T> T lookUp(Supplier<T> lookUp) {
        Lock lock = this.starts.readLock();
        lock.lock();
        try {
            return lookUp.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@code memfd} is an upload still arriving: unsealed, and perhaps never finished. A memfd closed meanwhile
     * counts as one, since it is no buffer to use either.
     */
    boolean isReceiving(MemFd memfd) {
        if (this.uploads.isEmpty()) {
            return false;
        }
        try {
            return this.uploads.containsKey(memfd.info().id());
        } catch (MemFdClosedException e) {
            return true;
        }
    }

    /** What {@link #starting()} holds until closed. */
    interface Starting extends AutoCloseable {

        @Override
        void close();
    }

    /** One upload's progress, updated by the thread that writes it and read by any. */
    final class Tracked {

        private final long id;
        private final String name;
        private final Instant startedAt;
        private final Predicate<UploadAbortedException> abort;
        private final AtomicLong received = new AtomicLong();
        private volatile Instant lastProgressAt;

        private Tracked(long id, String name, Instant startedAt, Predicate<UploadAbortedException> abort) {
            this.id = id;
            this.name = name;
            this.startedAt = startedAt;
            this.lastProgressAt = startedAt;
            this.abort = abort;
        }

        void received(long bytes) {
            this.received.addAndGet(bytes);
            this.lastProgressAt = MemFdUploads.this.clock.instant();
        }

        /** The failure of this upload when no bytes arrived for {@code idleTimeout}. */
        UploadAbortedException stalled(Duration idleTimeout) {
            return stalled("for " + idleTimeout.toMillis() + " ms (memfd.web.upload-idle-timeout)");
        }

        /**
         * The failure of this upload when, after {@code elapsed}, its bytes average less than
         * {@code minimumBytesPerSecond}.
         */
        UploadAbortedException tooSlow(long minimumBytesPerSecond, Duration elapsed) {
            long bytes = this.received.get();
            return new UploadAbortedException(UploadAbortedException.Reason.STALLED, "'" + this.name + "' arrived at "
                    + bytes * 1000 / Math.max(1, elapsed.toMillis()) + " bytes/s on average (" + bytes + " bytes in "
                    + elapsed.toMillis() + " ms), under the minimum of " + minimumBytesPerSecond
                    + " bytes/s (memfd.web.upload-minimum-rate); the upload was dropped.");
        }

        /** The bytes received so far. */
        long receivedBytes() {
            return this.received.get();
        }

        /** The failure of this upload when the server's own read timeout ended its wait for more bytes. */
        UploadAbortedException stalledPastServerTimeout() {
            return stalled("within the server's read timeout");
        }

        /** The failure of this upload when its client went away ({@code disconnection}) before the last byte. */
        UploadAbortedException disconnected(Throwable disconnection) {
            UploadAbortedException gone = new UploadAbortedException(UploadAbortedException.Reason.DISCONNECTED,
                    "The client of '" + this.name + "' went away after " + this.received.get()
                            + " bytes; the upload was dropped.");
            gone.addSuppressed(disconnection);
            return gone;
        }

        private UploadAbortedException stalled(String when) {
            return new UploadAbortedException(UploadAbortedException.Reason.STALLED, "No bytes of '" + this.name
                    + "' arrived " + when + " after " + this.received.get() + " bytes; the upload was dropped.");
        }

        private MemFdUpload snapshot() {
            return new MemFdUpload(this.id, this.name, this.received.get(), this.startedAt, this.lastProgressAt);
        }
    }
}
