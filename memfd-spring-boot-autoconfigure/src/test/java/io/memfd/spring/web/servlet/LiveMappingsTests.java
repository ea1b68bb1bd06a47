package io.memfd.spring.web.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.memfd.MemFd;
import io.memfd.Seal;

/**
 * The cap on mappings made for responses, with real mappings of a SHRINK-sealed memfd: a slot is refused while the
 * cap's worth are reachable, and comes back once one is collected (and so unmapped by the JVM).
 */
class LiveMappingsTests {

    @Test
    void pastTheCapASlotComesBackOnlyWhenAMappingIsCollected() throws Exception {
        LiveMappings live = new LiveMappings(2);
        try (MemFd memfd = MemFd.create("live-mappings")) {
            memfd.write(0, new byte[4096]);
            memfd.addSeals(Seal.SHRINK, Seal.GROW);

            ByteBuffer first = map(live, memfd);
            ByteBuffer second = map(live, memfd);

            assertThat(live.reserve()).as("a third slot while two mappings are reachable").isFalse();
            assertThat(live.live()).isEqualTo(2);
            assertThat(first.capacity()).isEqualTo(4096);
            first = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (live.live() > 1) {
                assertThat(System.nanoTime()).as("the first mapping collected within 20 s").isLessThan(deadline);
                System.gc();
                Thread.sleep(20);
            }
            assertThat(live.reserve()).as("a slot once the first is collected").isTrue();
            assertThat(live.live()).isEqualTo(2);
            Reference.reachabilityFence(second);
        }
    }

    private static ByteBuffer map(LiveMappings live, MemFd memfd) {
        assertThat(live.reserve()).isTrue();
        ByteBuffer mapping = memfd.mapReadOnly(0, 4096);
        live.releaseWhenUnreachable(mapping);
        return mapping;
    }
}
