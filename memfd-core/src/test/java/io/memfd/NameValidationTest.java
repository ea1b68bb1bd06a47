package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.sun.jna.LastErrorException;

import io.memfd.testing.OpenFds;
import io.memfd.testing.TestLibc;

/**
 * Memfd names end up in {@code /proc}, logs, Actuator responses and lookups, so every name is checked, wherever it
 * comes from: at most 249 bytes of UTF-8 (the kernel's limit) and no control character (NUL, newline, escape...).
 */
class NameValidationTest {

    private static final int MFD_ALLOW_SEALING = 2;

    @Test
    void theKernelTakesANameOfMaxNameBytesAndNoLonger() {
        String longest = "x".repeat(MemFd.MAX_NAME_BYTES);
        try (MemFd memfd = MemFd.create(longest)) {
            assertThat(OpenFds.memfdsNamed(longest)).isEqualTo(1);
        }
        // One byte more, and memfd_create(2) itself fails with EINVAL.
        assertThatThrownBy(() -> TestLibc.memfd_create(longest + "x", MFD_ALLOW_SEALING))
                .isInstanceOfSatisfying(LastErrorException.class, (e) -> assertThat(e.getErrorCode()).isEqualTo(22));
        assertThatThrownBy(() -> MemFd.checkName(longest + "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + MemFd.MAX_NAME_BYTES + " bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"two\nlines", "tab\there", "nul\0", "escape\u001b[31m", "delete\u007f", "c1\u0085"})
    void aNameWithAControlCharacterIsRefusedAtCreation(String name) {
        assertThatThrownBy(() -> MemFd.create(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> MemFdFactory.builder().namePrefix(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"two\nlines", "escape\u001b[31m"})
    void anAdoptedMemfdWhoseNameHasAControlCharacterIsRefusedAndClosed(String name) throws InterruptedException {
        int fd = TestLibc.memfd_create(name, MFD_ALLOW_SEALING);
        Set<OpenFds.Fd> before = OpenFds.snapshot();
        OpenFds.Fd offered = OpenFds.describe(fd).orElseThrow();

        Throwable refused = catchThrowable(() -> MemFd.adopt(fd).close());

        assertThat(refused).isInstanceOf(MemFdException.class).hasMessageContaining("control character");
        assertThat(refused.getClass().getSimpleName()).isEqualTo("InvalidNameException");
        assertThat(OpenFds.isOpen(offered)).as("the refused descriptor is still open").isFalse();
        OpenFds.assertNoneOpenedSince(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "report.pdf", "dir/with spaces (1)", "ünïcödé ✓"})
    void ordinaryNamesPass(String name) {
        try (MemFd memfd = MemFd.create(name)) {
            assertThat(memfd.name()).isEqualTo(name);
        }
        MemFd.checkName(name);
    }
}
