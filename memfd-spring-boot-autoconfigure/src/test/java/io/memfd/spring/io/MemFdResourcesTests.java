package io.memfd.spring.io;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.InputStreamResource;
import org.springframework.util.unit.DataSize;

import io.memfd.BudgetExceededException;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.SizeLimitExceededException;
import io.memfd.testing.OpenFds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** {@link MemFdResources} against real memfds from a factory with small limits. */
class MemFdResourcesTests {

    private static final int LIMIT = 256 * 1024;

    /** Room for two full buffers and half of a third. */
    private static final int BUDGET = 5 * LIMIT / 2;

    private final MemFdFactory factory = MemFdFactory.builder().maxSize(LIMIT).maxTotalSize(BUDGET).build();

    private final MemFdResources resources = new MemFdResources(this.factory);

    @AfterEach
    void closeFactory() {
        this.factory.close();
    }

    @Test
    void emptyResourceIsWritableUntilSealed() throws IOException {
        try (MemFdResource resource = this.resources.create("draft")) {
            assertThat(resource.exists()).isTrue();
            assertThat(resource.contentLength()).isZero();
            assertThat(resource.isWritable()).isTrue();
            try (OutputStream out = resource.getOutputStream()) {
                out.write("draft".getBytes(StandardCharsets.UTF_8));
            }
            this.resources.seal(resource);
            assertThat(resource.isWritable()).isFalse();
            assertThat(resource.getMemFd().seals()).containsAll(Seal.IMMUTABLE);
            assertThat(resource.getContentAsString(StandardCharsets.UTF_8)).isEqualTo("draft");
        }
    }

    @Test
    void sealedFromBytes() throws IOException {
        try (MemFdResource resource = this.resources.createSealed("bytes", new byte[] { 1, 2, 3 })) {
            assertThat(resource.getContentAsByteArray()).containsExactly(1, 2, 3);
            assertThat(resource.getMemFd().seals()).containsAll(Seal.IMMUTABLE);
            assertThat(resource.isWritable()).isFalse();
        }
    }

    @Test
    void sealedFromAStreamWhichIsLeftOpen() throws IOException {
        TrackedStream content = new TrackedStream(new byte[LIMIT]);
        try (MemFdResource resource = this.resources.createSealed("stream", content)) {
            assertThat(resource.contentLength()).isEqualTo(LIMIT);
            assertThat(resource.getMemFd().seals()).containsAll(Seal.IMMUTABLE);
        }
        assertThat(content.closed).isFalse();
    }

    @Test
    void sealedCopyOfAClasspathResource() throws IOException {
        ClassPathResource source = new ClassPathResource("sample/greeting.txt");
        try (MemFdResource copy = this.resources.createSealed("greeting.txt", source)) {
            assertThat(copy.getContentAsByteArray()).isEqualTo(source.getContentAsByteArray());
            assertThat(copy.getMemFd().seals()).containsAll(Seal.IMMUTABLE);
            assertThat(copy.getFilename()).isEqualTo("greeting.txt");
        }
    }

    @Test
    void copyClosesTheSourceStream() throws IOException {
        TrackedStream content = new TrackedStream(new byte[10]);
        try (MemFdResource copy = this.resources.createSealed("copy", new InputStreamResource(content))) {
            assertThat(copy.contentLength()).isEqualTo(10);
        }
        assertThat(content.closed).isTrue();
    }

    @Test
    void streamOverTheSizeLimitFailsAndLeavesNoMemfdBehind() throws IOException {
        TrackedStream content = new TrackedStream(new byte[LIMIT + 1]);
        assertThatExceptionOfType(SizeLimitExceededException.class)
            .isThrownBy(() -> this.resources.createSealed("too-big", new InputStreamResource(content)))
            .withMessageContaining("too-big")
            .withMessageContaining("per-buffer limit of " + LIMIT + " bytes");
        assertThat(this.factory.registry().count()).isZero();
        assertThat(this.factory.registry().usedBytes()).isZero();
        assertThat(this.factory.registry().releasedCount()).isEqualTo(1);
        assertThat(OpenFds.memfdsNamed("too-big")).isZero();
        assertThat(content.closed).isTrue();
    }

    @Test
    void streamOverTheTotalBudgetFailsAndLeavesNoMemfdBehind() throws IOException {
        try (MemFdResource first = this.resources.createSealed("first", new byte[LIMIT]);
                MemFdResource second = this.resources.createSealed("second", new byte[LIMIT])) {
            assertThatExceptionOfType(BudgetExceededException.class)
                .isThrownBy(() -> this.resources.createSealed("third", new ByteArrayInputStream(new byte[LIMIT])))
                .withMessageContaining("total budget of " + BUDGET + " bytes");
            assertThat(this.factory.registry().count()).isEqualTo(2);
            // Whole pages, and about 1 KiB for each file.
            assertThat(this.factory.registry().usedBytes()).isEqualTo(2 * (LIMIT + 1024L));
            assertThat(OpenFds.memfdsNamed("first")).isOne();
            assertThat(OpenFds.memfdsNamed("second")).isOne();
            assertThat(OpenFds.memfdsNamed("third")).isZero();
        }
    }

    @Test
    void closingTheFactoryClosesResourcesLeftOpen() throws IOException {
        MemFdResource forgotten = this.resources.createSealed("forgotten", new byte[1]);
        this.factory.close();
        assertThat(forgotten.exists()).isFalse();
        assertThat(OpenFds.memfdsNamed("forgotten")).isZero();
    }

    @Test
    void aBlockingUploadIsListedWhileItIsCopiedAndSealedWhenItsStreamEnds() throws Exception {
        try (Upload upload = new Upload(this.resources, "listed")) {
            upload.send(1000);
            await().until(() -> receivedBytes(this.resources.uploads()), (bytes) -> bytes == 1000);
            MemFdUpload listed = this.resources.uploads().inProgress().get(0);
            assertThat(listed.name()).isEqualTo("listed");
            assertThat(listed.id()).isEqualTo(this.factory.registry().buffers().get(0).id());

            upload.send(500);
            upload.end();
            try (MemFdResource resource = upload.result()) {
                assertThat(resource.contentLength()).isEqualTo(1500);
                assertThat(resource.getMemFd().seals()).containsAll(Seal.IMMUTABLE);
            }
            assertThat(this.resources.uploads().inProgress()).isEmpty();
        }
    }

    /**
     * Cancelling frees the memory and budget at once, while the copying thread still waits in its read; the upload
     * fails as cancelled when that read returns.
     */
    @Test
    void aCancelledBlockingUploadLosesItsMemfdAtOnceAndFailsWhenItsReadReturns() throws Exception {
        try (Upload upload = new Upload(this.resources, "cancelled")) {
            upload.send(4096);
            await().until(() -> receivedBytes(this.resources.uploads()), (bytes) -> bytes == 4096);
            long id = this.resources.uploads().inProgress().get(0).id();

            assertThat(this.resources.uploads().cancel(id)).isTrue();
            assertThat(OpenFds.memfdsNamed("cancelled")).isZero();
            assertThat(this.factory.registry().usedBytes()).isZero();
            assertThat(upload.isDone()).as("still waiting in its read").isFalse();
            assertThat(this.resources.uploads().inProgress()).as("no longer listed: its memfd is gone").isEmpty();

            upload.send(1);
            assertThatExceptionOfType(ExecutionException.class).isThrownBy(upload::result)
                .havingCause()
                .isInstanceOfSatisfying(UploadAbortedException.class,
                        (e) -> assertThat(e.reason()).isEqualTo(UploadAbortedException.Reason.CANCELLED))
                .withMessageContaining("'cancelled' was cancelled after 4096 bytes");
            assertThat(this.resources.uploads().inProgress()).isEmpty();
            assertThat(this.resources.uploads().cancel(id)).as("nothing left to cancel").isFalse();
        }
    }

    @Test
    void aStalledBlockingUploadLosesItsMemfdAfterTheIdleTimeout() throws Exception {
        MemFdResources watched = new MemFdResources(this.factory, new MemFdUploads(), Duration.ofMillis(300));
        try (Upload upload = new Upload(watched, "stalled")) {
            long lastBytesSentAt = System.nanoTime();
            upload.send(100);
            await().until(() -> receivedBytes(watched.uploads()), (bytes) -> bytes == 100);

            await().until(() -> OpenFds.memfdsNamed("stalled") == 0);
            await().until(() -> watched.uploads().inProgress().isEmpty());
            assertThat(System.nanoTime() - lastBytesSentAt).as("not before the idle timeout")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
            upload.assertFailsAsStalledWhenWoken("No bytes of 'stalled' arrived for 300 ms", "after 100 bytes");
            assertThat(watched.uploads().inProgress()).isEmpty();
            assertThat(this.factory.registry().count()).isZero();
        }
    }

    /**
     * A client that sends a byte now and then is never idle, but averages far below the minimum rate: it is dropped
     * once it has run for the idle timeout, its memfd closed, and fails as stalled naming the property.
     */
    @Test
    void aTricklingBlockingUploadIsDroppedBelowTheMinimumRate() throws Exception {
        MemFdResources watched = watchedWithMinimumRate(1000);
        try (Upload upload = new Upload(watched, "trickling")) {
            long startedAt = System.nanoTime();
            while (OpenFds.memfdsNamed("trickling") != 0 || !watched.uploads().inProgress().isEmpty()) {
                assertThat(System.nanoTime() - startedAt).as("dropped within 20 s")
                    .isLessThan(TimeUnit.SECONDS.toNanos(20));
                upload.send(1);
                Thread.sleep(50);
            }
            assertThat(System.nanoTime() - startedAt).as("not before the idle timeout")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
            upload.assertFailsAsStalledWhenWoken("under the minimum of 1000 bytes/s (memfd.web.upload-minimum-rate)");
            assertThat(this.factory.registry().count()).isZero();
        }
    }

    /** A client that sent a little and went quiet is dropped as idle, not as slow: the message says what happened. */
    @Test
    void aQuietClientBelowTheMinimumRateIsDroppedAsIdle() throws Exception {
        MemFdResources watched = watchedWithMinimumRate(1000);
        try (Upload upload = new Upload(watched, "quiet")) {
            // Sent a while after the start, so that the idle timeout ends after the average first falls short.
            Thread.sleep(100);
            upload.send(100);
            await().until(() -> OpenFds.memfdsNamed("quiet") == 0);
            upload.assertFailsAsStalledWhenWoken("No bytes of 'quiet' arrived for 300 ms");
        }
    }

    /** Only the average counts: bytes sent early pay for pauses later, and no minimum lets any trickle go on. */
    @ParameterizedTest
    @CsvSource({ "1000, 10000", "0, 1" })
    void anUploadKeepingTheAverageIsNotDroppedWhateverItsPauses(long minimumRate, int burst) throws Exception {
        MemFdResources watched = watchedWithMinimumRate(minimumRate);
        try (Upload upload = new Upload(watched, "paused")) {
            upload.send(burst);
            int trickled = 0;
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); System.nanoTime() < end; trickled++) {
                upload.send(1);
                Thread.sleep(50);
            }
            upload.end();
            try (MemFdResource stored = upload.result()) {
                assertThat(stored.contentLength()).isEqualTo(burst + trickled);
            }
        }
    }

    /**
     * A cancel racing with the end of an upload either wins (the upload fails as cancelled, its memfd closed) or
     * says it lost (the caller gets an open, sealed resource): never both, never neither.
     */
    @Test
    void aCancelRacingTheEndOfAnUploadEitherWinsOrSaysItLost() throws Exception {
        CancelRace.assertEitherWinsOrSaysItLost(this.resources.uploads(), 300,
                () -> this.resources.createSealed("race", new ByteArrayInputStream(new byte[4096])));
        assertThat(OpenFds.memfdsNamed("race")).isZero();
        assertThat(this.factory.registry().usedBytes()).isZero();
    }

    /** An abort thrown by the content itself (say, it copies another upload) is any failure: no memfd is left. */
    @Test
    void aStreamThatFailsWithAnAbortOfItsOwnLeavesNoMemfdBehind() {
        UploadAbortedException elsewhere = new UploadAbortedException(UploadAbortedException.Reason.CANCELLED,
                "another upload was cancelled");
        InputStream failing = new InputStream() {
            @Override
            public int read() {
                throw elsewhere;
            }
        };
        assertThatExceptionOfType(UploadAbortedException.class)
            .isThrownBy(() -> this.resources.createSealed("stray", failing)).isSameAs(elsewhere);
        assertThat(OpenFds.memfdsNamed("stray")).isZero();
        assertThat(this.factory.registry().count()).isZero();
        assertThat(this.resources.uploads().inProgress()).isEmpty();
    }

    private static long receivedBytes(MemFdUploads uploads) {
        return uploads.inProgress().stream().mapToLong(MemFdUpload::receivedBytes).sum();
    }

    /** A blocking upload copying from a pipe on another thread, fed by the test as a slow client would. */
    /** Resources whose uploads idle out after 300 ms and must average {@code bytesPerSecond}. */
    private MemFdResources watchedWithMinimumRate(long bytesPerSecond) {
        return new MemFdResources(this.factory, new MemFdUploads(), Duration.ofMillis(300),
                DataSize.ofBytes(bytesPerSecond));
    }

    private static final class Upload implements AutoCloseable {

        private final PipedOutputStream client = new PipedOutputStream();
        private final ExecutorService thread = Executors.newSingleThreadExecutor();
        private final Future<MemFdResource> result;

        Upload(MemFdResources resources, String name) throws IOException {
            PipedInputStream body = new PipedInputStream(this.client, 64 * 1024);
            this.result = this.thread.submit(() -> resources.createSealed(name, body));
        }

        void send(int bytes) throws IOException {
            this.client.write(new byte[bytes]);
            this.client.flush();
        }

        void end() throws IOException {
            this.client.close();
        }

        boolean isDone() {
            return this.result.isDone();
        }

        MemFdResource result() throws Exception {
            return this.result.get(20, TimeUnit.SECONDS);
        }

        /**
         * Sends one more byte, which wakes the reading thread the watchdog left blocked, and checks the upload then
         * failed as stalled, its message containing each of {@code messages}.
         */
        void assertFailsAsStalledWhenWoken(String... messages) throws IOException {
            send(1);
            assertThatExceptionOfType(ExecutionException.class).isThrownBy(this::result)
                .havingCause()
                .isInstanceOfSatisfying(UploadAbortedException.class, (e) -> {
                    assertThat(e.reason()).isEqualTo(UploadAbortedException.Reason.STALLED);
                    assertThat(e.getMessage()).contains(messages);
                });
        }

        @Override
        public void close() throws IOException {
            this.client.close();
            this.thread.shutdownNow();
        }
    }

    /** A stream that remembers being closed, of a given content. */
    private static final class TrackedStream extends FilterInputStream {

        private boolean closed;

        TrackedStream(byte[] content) {
            super(new ByteArrayInputStream(Arrays.copyOf(content, content.length)));
        }

        @Override
        public void close() throws IOException {
            this.closed = true;
            super.close();
        }
    }
}
