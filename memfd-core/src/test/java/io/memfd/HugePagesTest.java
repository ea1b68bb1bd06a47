package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.MappedByteBuffer;

import org.junit.jupiter.api.Test;

/** Hugetlb memfds. Using one needs reserved huge pages; .ci/run reserves a few where it may. */
class HugePagesTest {

    private static final HugePageSize SIZE = HugePageSize.HUGE_2MB;

    @Test
    void aHugePageMemfdMapsWritesAndReadsWherePagesAreReserved() {
        assumeTrue(SIZE.reservedPages() >= 2, "no 2 MiB huge pages are reserved here (/proc/sys/vm/nr_hugepages is "
                + SIZE.reservedPages() + "); .ci/run reserves some when it runs as root");
        try (MemFd memfd = MemFdOptions.defaults().hugePages(SIZE).create("huge")) {
            assertThat(memfd.isHugetlb()).isTrue();
            memfd.resize(SIZE.bytes());
            MappedByteBuffer mapping = memfd.mapReadWrite(0, SIZE.bytes());
            mapping.put(0, (byte) 1).put((int) SIZE.bytes() - 1, (byte) 2);

            byte[] content = memfd.readAllBytes();
            assertThat(content).hasSize((int) SIZE.bytes());
            assertThat(content[0]).isEqualTo((byte) 1);
            assertThat(content[content.length - 1]).isEqualTo((byte) 2);
            assertThatThrownBy(() -> memfd.write(0, new byte[1]))
                    .isInstanceOf(MemFdException.class).hasMessageContaining("hugetlb memfds have no write()");
            assertThatThrownBy(() -> memfd.resize(SIZE.bytes() + 1))
                    .isInstanceOf(MemFdException.class).hasMessageContaining("multiple of its page size");
            memfd.addSeals(Seal.SHRINK, Seal.GROW, Seal.FUTURE_WRITE);
            assertThat(memfd.mapReadOnly().get(0)).isEqualTo((byte) 1);
        }
    }

    /**
     * Sealed against shrinking but not writing, a hugetlb memfd another descriptor shares can have a hole punched in
     * it, which frees its huge pages and their reservation: reading the hole through a mapping then faults (SIGBUS)
     * when the system has no free huge page. It maps once WRITE is sealed too, which forbids punching.
     */
    @Test
    void aSharedHugetlbMemfdMapsOnlyOnceNoHoleCanBePunchedInIt() {
        assumeTrue(SIZE.reservedPages() >= 1, "no 2 MiB huge pages are reserved here (/proc/sys/vm/nr_hugepages is "
                + SIZE.reservedPages() + "); .ci/run reserves some when it runs as root");
        try (MemFd memfd = MemFdOptions.defaults().hugePages(SIZE).create("huge-shared")) {
            memfd.resize(SIZE.bytes());
            memfd.addSeals(Seal.SHRINK, Seal.GROW);
            try (MemFd shared = memfd.dup()) {
                assertThatThrownBy(shared::mapReadOnly).isInstanceOfSatisfying(MissingSealsException.class,
                        (e) -> assertThat(e.getMessage()).contains("punch a hole", "seal SHRINK and WRITE"));

                memfd.addSeal(Seal.WRITE);
                assertThat(shared.mapReadOnly().capacity()).isEqualTo((int) SIZE.bytes());
            }
        }
    }

    @Test
    void anOrdinaryMemfdIsNotOnHugetlbfs() {
        try (MemFd memfd = MemFd.create("small pages")) {
            assertThat(memfd.isHugetlb()).isFalse();
        }
    }

    @Test
    void aPageSizeTheKernelDoesNotOfferIsRefusedByTheKernel() {
        HugePageSize unoffered = null;
        for (HugePageSize size : HugePageSize.values()) {
            if (!size.isOfferedByKernel()) {
                unoffered = size;
                break;
            }
        }
        assumeTrue(unoffered != null, "this kernel offers every huge page size");
        HugePageSize size = unoffered;
        assertThatThrownBy(() -> MemFdOptions.defaults().hugePages(size).create("unoffered"))
                .isInstanceOf(UnsupportedByKernelException.class)
                .hasMessageContaining("MFD_HUGETLB(" + size + ")")
                .hasMessageContaining("does not offer this huge page size").hasMessageContaining("[ENODEV]");
    }

    @Test
    void pageSizesMapToTheirBytes() {
        assertThat(HugePageSize.HUGE_2MB.bytes()).isEqualTo(2L << 20);
        assertThat(HugePageSize.HUGE_1GB.bytes()).isEqualTo(1L << 30);
        assertThat(HugePageSize.ofBytes(2L << 20)).contains(HugePageSize.HUGE_2MB);
        assertThat(HugePageSize.ofBytes(3L << 20)).isEmpty();
        assertThat(HugePageSize.HUGE_16GB).hasToString("16GB");
    }
}
