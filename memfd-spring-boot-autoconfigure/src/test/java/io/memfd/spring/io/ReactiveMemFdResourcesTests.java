package io.memfd.spring.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.memfd.MemFdFactory;
import io.memfd.testing.OpenFds;

/** {@link ReactiveMemFdResources} against real memfds, without a web server. */
class ReactiveMemFdResourcesTests {

    private final MemFdFactory factory = MemFdFactory.builder().maxTotalSize(1 << 20).build();

    private final ReactiveMemFdResources resources = new ReactiveMemFdResources(this.factory, new MemFdUploads(),
            Duration.ofSeconds(30));

    @AfterEach
    void closeFactory() {
        this.factory.close();
    }

    /**
     * A cancel racing with the end of an upload either wins (the upload fails as cancelled, its memfd closed) or
     * says it lost (the caller gets an open, sealed resource): never both, never neither.
     */
    @Test
    void aCancelRacingTheEndOfAnUploadEitherWinsOrSaysItLost() throws Exception {
        CancelRace.assertEitherWinsOrSaysItLost(this.resources.uploads(), 300, () -> this.resources
            .createSealed("race", Mono.fromSupplier(() -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[4096])))
            .block(Duration.ofSeconds(10)));
        assertThat(OpenFds.memfdsNamed("race")).isZero();
        assertThat(this.factory.registry().usedBytes()).isZero();
    }

    /**
     * A content that yields a byte now and then is never idle, but averages far below the minimum rate: it is dropped
     * once it has run for the idle timeout, its memfd closed, and fails as stalled naming the property.
     */
    @Test
    void aTricklingUploadIsDroppedBelowTheMinimumRate() {
        ReactiveMemFdResources watched = new ReactiveMemFdResources(this.factory, new MemFdUploads(),
                Duration.ofMillis(300), DataSize.ofBytes(1000));
        Flux<DataBuffer> trickle = Flux.interval(Duration.ofMillis(50))
            .map((tick) -> wrap(1));
        long startedAt = System.nanoTime();

        assertThatExceptionOfType(UploadAbortedException.class)
            .isThrownBy(() -> watched.createSealed("trickling", trickle).block(Duration.ofSeconds(20)))
            .satisfies((e) -> assertThat(e.reason()).isEqualTo(UploadAbortedException.Reason.STALLED))
            .withMessageContaining("under the minimum of 1000 bytes/s (memfd.web.upload-minimum-rate)");
        assertThat(System.nanoTime() - startedAt).as("not before the idle timeout")
            .isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
        assertThat(OpenFds.memfdsNamed("trickling")).isZero();
        assertThat(watched.uploads().inProgress()).isEmpty();
        assertThat(this.factory.registry().usedBytes()).isZero();
    }

    /** Only the average counts: bytes sent early pay for the pauses that follow. */
    @Test
    void anUploadKeepingTheAverageIsNotDroppedWhateverItsPauses() throws IOException {
        ReactiveMemFdResources watched = new ReactiveMemFdResources(this.factory, new MemFdUploads(),
                Duration.ofMillis(300), DataSize.ofBytes(1000));
        Flux<DataBuffer> content = Flux.concat(Mono.fromSupplier(() -> wrap(10_000)),
                Flux.interval(Duration.ofMillis(50)).take(40).map((tick) -> wrap(1)));

        try (MemFdResource stored = watched.createSealed("paused", content).block(Duration.ofSeconds(20))) {
            assertThat(stored.contentLength()).isEqualTo(10_040);
        }
    }

    private static DataBuffer wrap(int bytes) {
        return DefaultDataBufferFactory.sharedInstance.wrap(new byte[bytes]);
    }
}
