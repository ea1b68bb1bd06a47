package io.memfd.spring.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
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
}
