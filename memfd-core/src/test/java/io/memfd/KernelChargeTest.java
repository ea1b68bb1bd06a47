package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.memfd.testing.OpenFds;
import io.memfd.testing.TestLibc;

/**
 * A factory's budget counts what the kernel holds for each buffer, not its byte count: whole pages (a one-byte buffer
 * holds a 4 KiB page), the kernel's objects for the file (inode, dentry, open file: about 1 KiB), and for an adopted
 * buffer the pages its sender allocated beyond the end of the file.
 */
class KernelChargeTest {

    private static final int PAGE = 4096;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int FALLOC_FL_KEEP_SIZE = 1;

    @Test
    void aOneByteBufferIsChargedAWholePageAndItsFile() {
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(1 << 20).build()) {
            List<MemFd> buffers = new ArrayList<>();
            try {
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 1000; i++) {
                        buffers.add(factory.createSealed("tiny-" + i, new byte[] {1}));
                    }
                }).isInstanceOf(BudgetExceededException.class);

                // 1 MiB holds at most 256 pages, and fewer once each file's kernel objects are counted.
                assertThat(buffers).hasSizeLessThan(256);
                assertThat(factory.registry().usedBytes()).isGreaterThanOrEqualTo((long) buffers.size() * PAGE);
            } finally {
                buffers.forEach(MemFd::close);
            }
            assertThat(factory.registry().usedBytes()).isZero();
        }
    }

    @Test
    void anEmptyBufferIsChargedItsFileAndGrowthWithinAPageCostsNothingMore() {
        try (MemFdFactory factory = MemFdFactory.builder().build(); MemFd memfd = factory.create("empty")) {
            long empty = factory.registry().usedBytes();
            assertThat(empty).isPositive();

            memfd.write(0, new byte[] {1});
            long onePage = factory.registry().usedBytes();
            assertThat(onePage).isEqualTo(empty + PAGE);
            memfd.write(1, new byte[PAGE - 1]);
            assertThat(factory.registry().usedBytes()).isEqualTo(onePage);
            memfd.write(PAGE, new byte[] {1});
            assertThat(factory.registry().usedBytes()).isEqualTo(onePage + PAGE);
            memfd.resize(1);
            assertThat(factory.registry().usedBytes()).isEqualTo(onePage);
        }
    }

    @Test
    void anAdoptedBufferIsChargedThePagesItsSenderAllocatedBeyondItsEnd() throws InterruptedException {
        // A sender can allocate 64 MiB and then give the file a size of one byte: the memory stays with the file.
        int fd = TestLibc.memfd_create("preallocated", MFD_ALLOW_SEALING);
        TestLibc.fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 64L << 20);
        TestLibc.ftruncate(fd, 1);
        Set<OpenFds.Fd> before = OpenFds.snapshot();
        OpenFds.Fd offered = OpenFds.describe(fd).orElseThrow();
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(32L << 20).build()) {
            assertThatThrownBy(() -> factory.adopt(fd, Set.of())).isInstanceOf(BudgetExceededException.class);
            assertThat(OpenFds.isOpen(offered)).as("the refused descriptor is still open").isFalse();
            OpenFds.assertNoneOpenedSince(before);
        }
    }

    @Test
    void aSparseBufferIsChargedItsSizeBecauseItsHolesCanFillAtAnyTime() {
        // No page is allocated yet, but any write, or a page fault of a mapping, allocates one: the budget must hold.
        try (MemFdFactory factory = MemFdFactory.builder().maxTotalSize(32L << 20).build();
                MemFd sparse = factory.create("sparse")) {
            assertThatThrownBy(() -> sparse.resize(64L << 20)).isInstanceOf(BudgetExceededException.class);
        }
    }
}
