package io.memfd;

import static io.memfd.MemfdCreate.MFD_ALLOW_SEALING;
import static io.memfd.MemfdCreate.MFD_CLOEXEC;
import static io.memfd.MemfdCreate.MFD_EXEC;
import static io.memfd.MemfdCreate.MFD_NOEXEC_SEAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.sun.jna.LastErrorException;

import io.memfd.internal.Errno;
import io.memfd.testing.OpenFds;
import io.memfd.testing.TestLibc;

/** The creation paths and flag checks that the public API cannot reach. */
class MemfdCreateTest {

    private static final int O_CLOEXEC = 0x80000;

    @Test
    void rawSystemCallCreatesAMemfdWithTheGivenFlags() throws IOException {
        int fd = MemfdCreate.createViaSyscall("via-syscall", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        try {
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)))
                    .hasToString("/memfd:via-syscall (deleted)");
            assertThat(OpenFds.statusFlags(fd) & O_CLOEXEC).isEqualTo(O_CLOEXEC);
            assertThat(Fcntl.sealBits(fd, "via-syscall")).isZero();
        } finally {
            TestLibc.close(fd);
        }
    }

    @Test
    void libcSymbolIsPresentOnThisMachine() {
        // glibc 2.27+ has memfd_create; the raw system call path is tested above either way.
        assertThat(MemfdCreate.libcHasSymbol()).isTrue();
    }

    @Test
    void kernelRejectsUnknownFlagBits() {
        assertThatThrownBy(() -> MemfdCreate.createViaSyscall("unknown-flag", 0x100))
                .isInstanceOf(UnsupportedByKernelException.class).hasMessageContaining("[EINVAL]");
    }

    @Test
    void kernelRejectsExecTogetherWithNoexecSeal() {
        assertThatThrownBy(() -> MemfdCreate.createViaSyscall("both", MFD_EXEC | MFD_NOEXEC_SEAL))
                .isInstanceOf(UnsupportedByKernelException.class).hasMessageContaining("[EINVAL]");
        assertThatThrownBy(() -> MemfdCreate.create("both", MFD_EXEC | MFD_NOEXEC_SEAL))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kernelRejectsA250ByteNameWhichTheLibraryRefusesFirst() {
        // The library's limit is the kernel's: bypass the library's check to prove it.
        assertThatThrownBy(() -> TestLibc.memfd_create("n".repeat(250), 0))
                .isInstanceOfSatisfying(LastErrorException.class,
                        e -> assertThat(e.getErrorCode()).isEqualTo(Errno.EINVAL.code()));
        int fd = TestLibc.memfd_create("n".repeat(249), 0);
        TestLibc.close(fd);
        assertThatThrownBy(() -> MemfdCreate.create("n".repeat(250), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesAreMeasuredInUtf8Bytes() {
        // 125 two-byte characters are 250 bytes.
        assertThatThrownBy(() -> MemfdCreate.create("é".repeat(125), MFD_CLOEXEC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("250");
        int fd = MemfdCreate.create("é".repeat(124), MFD_CLOEXEC);
        TestLibc.close(fd);
    }

    @Test
    void namesWithNulAreRefused() {
        assertThatThrownBy(() -> MemfdCreate.create("a\0b", MFD_CLOEXEC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL").hasMessageContaining("a\\0b");
    }

    @Test
    void flagsAreDescribedInTheKernelsWords() {
        assertThat(MemfdCreate.describeFlags(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MemfdCreate.MFD_HUGETLB
                | 21 << MemfdCreate.HUGETLB_SHIFT))
                .isEqualTo("MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_NOEXEC_SEAL|MFD_HUGETLB(2MB)");
        assertThat(MemfdCreate.describeFlags(MemfdCreate.MFD_HUGETLB | 30 << MemfdCreate.HUGETLB_SHIFT))
                .isEqualTo("MFD_HUGETLB(1GB)");
    }
}
