package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.memfd.testing.Gc;

/**
 * A closed memfd's pages stay in the kernel while a channel, a mapping or a duplicate of the file lives (a slow
 * client's download, say), so its factory keeps charging them until then: closing the memfd must not free budget the
 * kernel still spends. Each test reads the file through the holder after the close, to show the pages are there.
 */
class LingeringChargeTest {

    private static final int SIZE = 64 * 1024;
    /** What one such buffer is charged: its pages and the file's kernel objects. */
    private static final long CHARGE = SIZE + SizeAccount.FILE_BYTES;

    /** Room for one buffer, not two. */
    private final MemFdFactory factory = MemFdFactory.builder().maxTotalSize(CHARGE + SIZE / 2).build();

    @AfterEach
    void closeFactory() {
        factory.close();
    }

    @Test
    void aChannelKeepsAClosedBuffersChargeUntilItIsClosed() throws Exception {
        MemFd memfd = factory.createSealed("downloaded", content());
        FileChannel download = memfd.newFileChannel();
        memfd.close();

        assertThat(factory.registry().count()).isZero();
        assertThat(factory.registry().usedBytes()).isEqualTo(CHARGE);
        assertThat(factory.registry().lingeringBytes()).isEqualTo(CHARGE);
        assertThatThrownBy(() -> factory.createSealed("next", content())).isInstanceOf(BudgetExceededException.class)
                .hasMessageContaining(CHARGE + " of them by closed buffers whose pages a channel");
        ByteBuffer read = ByteBuffer.allocate(SIZE);
        assertThat(download.read(read, 0)).as("the pages are still there").isEqualTo(SIZE);

        download.close();
        assertThat(factory.registry().usedBytes()).isZero();
        factory.createSealed("next", content()).close();
    }

    @Test
    void aDuplicateKeepsAClosedBuffersChargeUntilItIsClosed() {
        MemFd memfd = factory.createSealed("shared", content());
        MemFd handedOut = memfd.dup();
        memfd.close();

        assertThatThrownBy(() -> factory.createSealed("next", content())).isInstanceOf(BudgetExceededException.class);
        assertThat(handedOut.readAllBytes()).hasSize(SIZE);

        handedOut.close();
        factory.createSealed("next", content()).close();
        assertThat(factory.registry().usedBytes()).isZero();
    }

    @Test
    void aMappingKeepsAClosedBuffersChargeUntilItIsCollected() throws Exception {
        MemFd memfd = factory.createSealed("mapped", content());
        List<MappedByteBuffer> mappings = new ArrayList<>(List.of(memfd.mapReadOnly()));
        memfd.close();

        assertThat(factory.registry().usedBytes()).isEqualTo(CHARGE);
        assertThat(mappings.get(0).get(SIZE - 1)).as("the pages are still there").isEqualTo((byte) 7);

        mappings.clear();
        Gc.awaitCollection(() -> factory.registry().usedBytes() == 0);
        factory.createSealed("next", content()).close();
    }

    /**
     * Nothing reaches the mapping any more, but no collection has come yet: a reservation the budget would refuse asks
     * for one (as the JDK does for direct buffers), and goes through.
     */
    @Test
    void aReservationRefusedForAnUncollectedMappingAsksForACollectionAndGoesThrough() {
        MemFd memfd = factory.createSealed("mapped", content());
        List<MappedByteBuffer> mappings = new ArrayList<>(List.of(memfd.mapReadOnly()));
        memfd.close();
        assertThat(factory.registry().lingeringBytes()).isEqualTo(CHARGE);

        mappings.clear();
        factory.createSealed("next", content()).close();
        assertThat(factory.registry().usedBytes()).isZero();
    }

    /**
     * A close does not wait for a channel being opened on another thread: the charge stays until that channel, once
     * it exists, is closed, and never goes uncounted in between.
     */
    @Test
    void aChannelOpenedWhileTheMemfdIsClosedIsCountedAllTheSame() throws Exception {
        ExecutorService opener = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 300; round++) {
                MemFd memfd = factory.createSealed("raced", content());
                Future<FileChannel> opening = opener.submit(memfd::newFileChannel);
                memfd.close();
                FileChannel opened;
                try {
                    opened = opening.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(MemFdClosedException.class);
                    continue;
                }
                assertThat(factory.registry().usedBytes()).as("charged while the channel is open, round " + round)
                        .isEqualTo(CHARGE);
                opened.close();
                assertThat(factory.registry().usedBytes()).isZero();
            }
        } finally {
            opener.shutdownNow();
        }
    }

    @Test
    void withNothingElseHoldingIt_closingGivesTheChargeBackAtOnce() throws Exception {
        MemFd memfd = factory.createSealed("alone", content());
        try (FileChannel closedFirst = memfd.newFileChannel()) {
            assertThat(closedFirst.size()).isEqualTo(SIZE);
        }
        memfd.close();
        assertThat(factory.registry().usedBytes()).isZero();
    }

    private static byte[] content() {
        byte[] content = new byte[SIZE];
        content[SIZE - 1] = 7;
        return content;
    }
}
