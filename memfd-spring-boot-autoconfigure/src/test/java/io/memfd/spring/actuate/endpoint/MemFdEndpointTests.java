package io.memfd.spring.actuate.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.Seal;
import io.memfd.spring.actuate.endpoint.MemFdEndpoint.BufferDescriptor;
import io.memfd.spring.actuate.endpoint.MemFdEndpoint.MemFdDescriptor;
import io.memfd.testing.TestLibc;

/** The endpoint's operations against real buffers. */
class MemFdEndpointTests {

    /** A closed buffer still being sent is no longer listed, but its bytes still count, and show as lingering. */
    @Test
    void aClosedBufferStillBeingSentShowsAsLingeringBytes() throws Exception {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(1 << 24).build()) {
            MemFd deleted = factory.createSealed("deleted", new byte[10]);
            try (FileChannel download = deleted.newFileChannel()) {
                deleted.close();
                MemFdDescriptor all = new MemFdEndpoint(factory.registry()).buffers();
                assertThat(all.count()).isZero();
                assertThat(all.usedBytes()).isEqualTo(4096 + 1024);
                assertThat(all.lingeringBytes()).isEqualTo(4096 + 1024);
            }
            assertThat(new MemFdEndpoint(factory.registry()).buffers().usedBytes()).isZero();
        }
    }

    @Test
    void listsEveryLiveBufferWithTheTotals() {
        try (MemFdFactory factory = MemFdFactory.builder().maxSize(1 << 20).maxTotalSize(1 << 24).maxCount(100)
                .build();
                MemFd sealed = factory.createSealed("sealed", new byte[10]);
                MemFd open = factory.create("open")) {
            open.resize(300);
            factory.create("closed").close();

            Instant before = Instant.now();
            MemFdDescriptor all = new MemFdEndpoint(factory.registry()).buffers();
            Instant after = Instant.now();

            assertThat(all.count()).isEqualTo(2);
            // A page and about 1 KiB for the file, each.
            assertThat(all.usedBytes()).isEqualTo(2 * (4096 + 1024));
            assertThat(all.lingeringBytes()).isZero();
            assertThat(all.maxCount()).isEqualTo(100);
            assertThat(all.maxSize()).isEqualTo(1 << 20);
            assertThat(all.maxTotalSize()).isEqualTo(1 << 24);
            assertThat(all.created()).isEqualTo(3);
            assertThat(all.released()).isEqualTo(1);
            assertThat(all.leaked()).isZero();
            assertThat(all.buffers()).satisfiesExactly(
                    buffer -> assertDescribes(buffer, sealed, 10, true),
                    buffer -> assertDescribes(buffer, open, 300, false));
            // The age is measured when the list is made.
            assertThat(all.buffers()).allSatisfy(buffer -> assertThat(
                    buffer.createdAt().plus(Duration.parse(buffer.age()))).isBetween(before, after));
        }
    }

    @Test
    void unlimitedFactoriesHaveNoLimits() {
        try (MemFdFactory factory = MemFdFactory.builder().maxCount(Integer.MAX_VALUE).build()) {
            MemFdDescriptor all = new MemFdEndpoint(factory.registry()).buffers();

            assertThat(all.maxSize()).isNull();
            assertThat(all.maxTotalSize()).isNull();
            assertThat(all.maxCount()).isNull();
            assertThat(all.buffers()).isEmpty();
        }
    }

    @Test
    void findsOneBufferByItsWholeNameSlashesIncluded() {
        try (MemFdFactory factory = MemFdFactory.builder().build();
                MemFd older = factory.createSealed("static/index.html", new byte[5]);
                MemFd newer = factory.createSealed("static/index.html", new byte[6])) {
            MemFdEndpoint endpoint = new MemFdEndpoint(factory.registry());

            assertDescribes(endpoint.buffer("static", "index.html"), newer, 6, true);
            newer.close();
            assertDescribes(endpoint.buffer("static", "index.html"), older, 5, true);
            assertThat(endpoint.buffer("index.html")).isNull();
            assertThat(endpoint.buffer("unknown")).isNull();
        }
    }

    @Test
    void aBufferFromAnotherProcessIsListedAsAdoptedButNeverFoundByItsName() {
        try (MemFdFactory factory = MemFdFactory.builder().build();
                MemFd own = factory.createSealed("app/config.json", new byte[5])) {
            try (MemFd peers = factory.adopt(TestLibc.peerMemfd("app/config.json", new byte[1]), Set.of(Seal.SHRINK))) {
                MemFdEndpoint endpoint = new MemFdEndpoint(factory.registry());

                assertThat(endpoint.buffers().buffers()).extracting(BufferDescriptor::name, BufferDescriptor::adopted)
                        .containsExactly(tuple("app/config.json", false), tuple("app/config.json", true));
                assertDescribes(endpoint.buffer("app", "config.json"), own, 5, true);
                own.close();
                assertThat(endpoint.buffer("app", "config.json")).isNull();
            }
        }
    }

    private static void assertDescribes(BufferDescriptor buffer, MemFd memfd, long size, boolean sealed) {
        assertThat(buffer.id()).isEqualTo(memfd.info().id());
        assertThat(buffer.name()).isEqualTo(memfd.name());
        assertThat(buffer.fd()).isEqualTo(memfd.rawFd());
        assertThat(buffer.size()).isEqualTo(size);
        assertThat(buffer.seals()).isEqualTo(memfd.seals());
        assertThat(buffer.sealed()).isEqualTo(sealed);
        assertThat(buffer.createdAt()).isEqualTo(memfd.info().createdAt());
    }
}
