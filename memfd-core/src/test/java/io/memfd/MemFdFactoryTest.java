package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import io.memfd.testing.OpenFds;
import io.memfd.testing.TestLibc;

/** Defaults, per-buffer limits, the total budget and the live registry. */
class MemFdFactoryTest {

    /** What the budget charges for a buffer of up to one page: the page and the file ({@link KernelChargeTest}). */
    private static final long ONE_PAGE = 4096 + SizeAccount.FILE_BYTES;

    @Test
    void createSealedAppliesTheDefaultSeals() {
        try (MemFdFactory factory = MemFdFactory.builder().defaultSeals(EnumSet.of(Seal.WRITE, Seal.SHRINK)).build();
                MemFd memfd = factory.createSealed("defaults", new byte[] {7})) {
            assertThat(memfd.seals()).contains(Seal.WRITE, Seal.SHRINK).doesNotContain(Seal.GROW, Seal.SEAL);
            assertThat(memfd.readAllBytes()).containsExactly(7);
        }
    }

    @Test
    void aNullNameIsRefusedAsMemFdCreateRefusesItNotPrefixedAsTheWordNull() {
        try (MemFdFactory factory = MemFdFactory.builder().namePrefix("app-").build()) {
            assertThatIllegalArgumentException().isThrownBy(() -> factory.create(null))
                    .withMessageContaining("Invalid memfd name");
            assertThat(factory.registry().count()).isZero();
        }
    }

    @Test
    void namePrefixIsPutBeforeEveryNameAndFoundEitherWay() {
        try (MemFdFactory factory = MemFdFactory.builder().namePrefix("app-").build();
                MemFd memfd = factory.create("blob")) {
            assertThat(memfd.name()).isEqualTo("app-blob");
            assertThat(OpenFds.memfdsNamed("app-blob")).isEqualTo(1);
            assertThat(factory.registry().find("app-blob")).containsSame(memfd);
        }
    }

    @Test
    void registryShowsLiveBuffersWithTheirStateAndTotals() throws Exception {
        try (MemFdFactory factory = MemFdFactory.builder().clock(tickingClock()).build()) {
            MemFd first = factory.createSealed("first", new byte[100]);
            MemFd second = factory.create("second");
            second.resize(4096);

            MemFdRegistry registry = factory.registry();
            assertThat(registry.count()).isEqualTo(2);
            assertThat(registry.usedBytes()).isEqualTo(2 * ONE_PAGE);
            assertThat(registry.buffers()).satisfiesExactly(
                    info -> {
                        assertThat(info.name()).isEqualTo("first");
                        assertThat(info.size()).isEqualTo(100);
                        assertThat(info.seals()).containsAll(Seal.IMMUTABLE);
                        assertThat(info.isSealed()).isTrue();
                        assertThat(info.fd()).isEqualTo(first.rawFd());
                        assertThat(info.age()).isPositive();
                    },
                    info -> {
                        assertThat(info.name()).isEqualTo("second");
                        assertThat(info.size()).isEqualTo(4096);
                        assertThat(info.isSealed()).isFalse();
                    });

            second.resize(8192);
            assertThat(registry.usedBytes()).isEqualTo(3 * ONE_PAGE - SizeAccount.FILE_BYTES);
            second.resize(1000);
            assertThat(registry.usedBytes()).isEqualTo(2 * ONE_PAGE);
            first.close();
            assertThat(registry.count()).isEqualTo(1);
            assertThat(registry.usedBytes()).isEqualTo(ONE_PAGE);
            assertThat(registry.createdCount()).isEqualTo(2);
            assertThat(registry.releasedCount()).isEqualTo(1);
            assertThat(registry.find(second.info().id())).containsSame(second);
            assertThat(registry.find("first")).isEmpty();
            second.close();
            assertThat(registry.usedBytes()).isZero();
        }
    }

    @Test
    void usageSplitsLiveBuffersBySealingAndSeesSealsAddedThroughAnotherDescriptor() {
        try (MemFdFactory factory = MemFdFactory.builder().build();
                MemFd sealed = factory.createSealed("sealed", new byte[100]);
                MemFd open = factory.create("open");
                MemFd sealedElsewhere = factory.create("sealed-elsewhere")) {
            open.resize(4096);
            sealedElsewhere.resize(10);
            MemFdRegistry registry = factory.registry();

            // An EXEC seal alone (MFD_NOEXEC_SEAL) fixes nothing the application wrote: still unsealed.
            assertThat(registry.usage()).isEqualTo(new MemFdRegistry.Usage(1, ONE_PAGE, 2, 2 * ONE_PAGE));

            try (MemFd other = sealedElsewhere.dup()) {
                other.addSeal(Seal.SHRINK);
            }
            assertThat(registry.usage()).isEqualTo(new MemFdRegistry.Usage(2, 2 * ONE_PAGE, 1, ONE_PAGE));

            sealed.close();
            MemFdRegistry.Usage usage = registry.usage();
            assertThat(usage).isEqualTo(new MemFdRegistry.Usage(1, ONE_PAGE, 1, ONE_PAGE));
            assertThat(usage.sealedCount() + usage.unsealedCount()).isEqualTo(registry.count());
            assertThat(usage.sealedBytes() + usage.unsealedBytes()).isEqualTo(registry.usedBytes());
        }
    }

    @Test
    void findByNameReturnsTheNewestLiveBuffer() {
        try (MemFdFactory factory = MemFdFactory.builder().build();
                MemFd older = factory.create("same");
                MemFd newer = factory.create("same")) {
            assertThat(factory.registry().find("same")).containsSame(newer);
            newer.close();
            assertThat(factory.registry().find("same")).containsSame(older);
            assertThat(factory.registry().find("unknown")).isEmpty();
        }
    }

    @Test
    void growthBeyondThePerBufferLimitFailsAndChangesNothing() {
        try (MemFdFactory factory = MemFdFactory.builder().maxSize(1024).build();
                MemFd memfd = factory.create("limited")) {
            memfd.write(0, new byte[1024]);

            assertThatThrownBy(() -> memfd.write(1000, new byte[25]))
                    .isInstanceOfSatisfying(SizeLimitExceededException.class, e -> {
                        assertThat(e.limit()).isEqualTo(1024);
                        assertThat(e.requested()).isEqualTo(1025);
                    })
                    .hasMessage("memfd 'limited' (fd " + memfd.rawFd() + "): write failed: the size of 1025 bytes"
                            + " would exceed the per-buffer limit of 1024 bytes");
            assertThatThrownBy(() -> memfd.resize(2048)).isInstanceOf(SizeLimitExceededException.class);
            assertThatThrownBy(() -> memfd.allocate(0, 2048)).isInstanceOf(SizeLimitExceededException.class);
            assertThat(memfd.size()).isEqualTo(1024);
            assertThat(factory.registry().usedBytes()).isEqualTo(ONE_PAGE);
        }
    }

    @Test
    void totalBudgetIsSharedByLiveBuffersAndFreedByClose() {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(16_384).build()) {
            MemFd first = factory.createSealed("first", new byte[6000]);

            // Two pages and a file each, so the second's two pages pass the budget once its file is counted.
            assertThatThrownBy(() -> factory.createSealed("second", new byte[5000]))
                    .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
                        assertThat(e.budget()).isEqualTo(16_384);
                        assertThat(e.inUse()).isEqualTo(2 * ONE_PAGE);
                        assertThat(e.requested()).isEqualTo(8192);
                    })
                    .hasMessageContaining("memfd 'second'").hasMessageContaining("total budget of 16384 bytes");
            assertThat(factory.registry().count()).isEqualTo(1);
            assertThat(OpenFds.memfdsNamed("second")).isZero();

            first.close();
            factory.createSealed("second", new byte[5000]).close();
        }
    }

    @Test
    void theCountOfLiveBuffersIsCheckedBeforeAMemfdIsCreatedOrAdopted() throws InterruptedException {
        try (MemFdFactory factory = MemFdFactory.builder().maxCount(2).build();
                MemFd first = factory.create("first");
                MemFd second = factory.create("second")) {
            Set<OpenFds.Fd> fds = OpenFds.snapshot();

            assertThatThrownBy(() -> factory.create("third"))
                    .isInstanceOfSatisfying(CountLimitExceededException.class, e -> {
                        assertThat(e.budget()).isEqualTo(2);
                        assertThat(e).isInstanceOf(BudgetExceededException.class);
                    })
                    .hasMessage("memfd 'third': create failed: another buffer would exceed the maximum of 2 live"
                            + " buffers");
            OpenFds.assertNoneOpenedSince(fds);
            int offered = TestLibc.memfd_create("offered", 2);
            OpenFds.Fd offeredFd = OpenFds.describe(offered).orElseThrow();
            assertThatThrownBy(() -> factory.adopt(offered, Set.of())).isInstanceOf(CountLimitExceededException.class);
            assertThat(OpenFds.isOpen(offeredFd)).as("the refused descriptor is still open").isFalse();
            OpenFds.assertNoneOpenedSince(fds);
            assertThat(factory.registry().maxCount()).hasValue(2);

            first.close();
            factory.create("third").close();
            assertThat(factory.registry().count()).isEqualTo(1);
        }
    }

    @Test
    void overLimitStreamFailsEarlyAndLeavesNoMemfdBehind() {
        try (MemFdFactory factory = MemFdFactory.builder().maxSize(100_000).build()) {
            CountingStream endless = new CountingStream();

            assertThatThrownBy(() -> factory.createSealed("stream", endless))
                    .isInstanceOf(SizeLimitExceededException.class);

            assertThat(endless.served).as("bytes read before giving up").isLessThan(200_000);
            assertThat(factory.registry().count()).isZero();
            assertThat(factory.registry().usedBytes()).isZero();
            assertThat(factory.registry().releasedCount()).isEqualTo(1);
            assertThat(OpenFds.memfdsNamed("stream")).isZero();
        }
    }

    @Test
    void streamWithinTheLimitIsCopiedAndSealed() throws IOException {
        byte[] content = new byte[300_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        try (MemFdFactory factory = MemFdFactory.builder().maxSize(content.length).build();
                MemFd memfd = factory.createSealed("stream", new ByteArrayInputStream(content))) {
            assertThat(memfd.readAllBytes()).isEqualTo(content);
            assertThat(memfd.seals()).containsAll(Seal.IMMUTABLE);
        }
    }

    @Test
    void failedGrowthGivesItsReservationBack() {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(8192).build();
                MemFd memfd = factory.create("sealed-growth")) {
            memfd.addSeal(Seal.GROW);
            assertThatThrownBy(() -> memfd.write(0, new byte[4096])).isInstanceOf(ResizeSealedException.class);
            assertThat(factory.registry().usedBytes()).isEqualTo(SizeAccount.FILE_BYTES);
        }
    }

    /**
     * A write that grows the file accounts the growth first; a close racing it must not let that growth stay counted
     * for a memfd that is gone, or the budget would shrink for good.
     */
    @Test
    void closeRacingGrowingWritesLeavesNothingCounted() throws Exception {
        byte[] page = new byte[4096];
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(1L << 30).build()) {
            for (int round = 0; round < 400; round++) {
                MemFd memfd = factory.create("racing");
                CountDownLatch writing = new CountDownLatch(1);
                Thread writer = new Thread(() -> {
                    try {
                        for (long position = 0; ; position += page.length) {
                            memfd.write(position, page);
                            writing.countDown();
                        }
                    } catch (MemFdClosedException expected) {
                        writing.countDown();
                    }
                });
                writer.start();
                writing.await();
                memfd.close();
                writer.join();
            }
            assertThat(factory.registry().count()).isZero();
            assertThat(factory.registry().usedBytes()).isZero();
        }
    }

    @Test
    void adoptedBuffersAreCheckedAgainstTheLimitsAndTracked() {
        try (MemFdFactory factory = MemFdFactory.builder().maxSize(4096).build()) {
            int small = TestLibc.memfd_create("small", 2);
            TestLibc.write(small, new byte[100], 100);
            int large = TestLibc.memfd_create("large", 2);
            TestLibc.write(large, new byte[5000], 5000);

            try (MemFd adopted = factory.adopt(small, Set.of())) {
                assertThat(factory.registry().count()).isEqualTo(1);
                assertThat(factory.registry().usedBytes()).isEqualTo(ONE_PAGE);
                assertThat(adopted.name()).isEqualTo("small");
            }
            assertThatThrownBy(() -> factory.adopt(large, Set.of())).isInstanceOf(SizeLimitExceededException.class);
            assertThat(OpenFds.memfdsNamed("large")).as("the rejected descriptor was closed").isZero();
            assertThat(factory.registry().count()).isZero();
        }
    }

    @Test
    void aClosedFactoryClosesADescriptorOfferedForAdoption() {
        MemFdFactory factory = MemFdFactory.builder().build();
        factory.close();
        int fd = TestLibc.memfd_create("too-late", 2);
        assertThatThrownBy(() -> factory.adopt(fd, Set.of())).isInstanceOf(IllegalStateException.class);
        assertThat(OpenFds.memfdsNamed("too-late")).isZero();
    }

    @Test
    void closingTheFactoryClosesItsLiveBuffers() {
        MemFdFactory factory = MemFdFactory.builder().build();
        MemFd memfd = factory.create("owned");
        factory.close();
        assertThat(memfd.isOpen()).isFalse();
        assertThat(factory.registry().count()).isZero();
        assertThatThrownBy(() -> factory.create("late")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void dupIsNotTrackedAndOutlivesTheOriginal() {
        try (MemFdFactory factory = MemFdFactory.builder().build()) {
            MemFd original = factory.createSealed("original", new byte[] {1});
            try (MemFd duplicate = original.dup()) {
                assertThat(factory.registry().count()).isEqualTo(1);
                original.close();
                assertThat(duplicate.readAllBytes()).containsExactly(1);
            }
        }
    }

    @Test
    void ageGrows() {
        try (MemFdFactory factory = MemFdFactory.builder().clock(tickingClock()).build();
                MemFd memfd = factory.create("aging")) {
            Duration first = memfd.info().age();
            assertThat(memfd.info().age()).isGreaterThan(first);
        }
    }

    /** A clock a second later at each reading than at the one before: ages are positive without waiting. */
    private static Clock tickingClock() {
        Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
        return new Clock() {
            @Override
            public Instant instant() {
                now[0] = now[0].plusSeconds(1);
                return now[0];
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** An endless stream that counts what it served. */
    private static final class CountingStream extends InputStream {
        long served;

        @Override
        public int read() {
            served++;
            return 'x';
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            ByteBuffer.wrap(buffer, offset, length).put(new byte[length]);
            served += length;
            return length;
        }
    }
}
