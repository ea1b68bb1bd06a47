package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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

    /** "Trojan Source": a right-to-left override makes "invoice\u202Efdp.exe" show as "invoiceexe.pdf". */
    @ParameterizedTest
    @ValueSource(strings = {"invoice\u202Efdp.exe", "isolate\u2066x\u2069", "mark\u200F", "arabic\u061C"})
    void aNameWithABidirectionalControlIsRefused(String name) {
        assertThatThrownBy(() -> MemFd.create(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bidirectional control character").hasMessageNotContainingAny(name);
        int fd = TestLibc.memfd_create(name, MFD_ALLOW_SEALING);
        assertThat(catchThrowable(() -> MemFd.adopt(fd).close()).getClass().getSimpleName())
                .isEqualTo("InvalidNameException");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lone\uD800high", "lone\uDC00low", "ends\uD83D"})
    void aNameWithAnUnpairedSurrogateIsRefused(String name) {
        assertThatThrownBy(() -> MemFd.create(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired surrogate");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "report.pdf", "dir/with spaces (1)", "ünïcödé ✓", "emoji \uD83D\uDE00 and עברית"})
    void ordinaryNamesPass(String name) {
        try (MemFd memfd = MemFd.create(name)) {
            assertThat(memfd.name()).isEqualTo(name);
        }
        MemFd.checkName(name);
    }

    /** Names at the edges of the one-pass copy of printable ASCII names and of its fallback for all others. */
    static Stream<String> namesTheKernelTakes() {
        return Stream.of("", "report.pdf", "ünïcödé ✓", "ascii then é", "x".repeat(MemFd.MAX_NAME_BYTES),
                "é".repeat((MemFd.MAX_NAME_BYTES - 1) / 2) + "x");
    }

    @ParameterizedTest
    @MethodSource("namesTheKernelTakes")
    void theKernelHasTheNameAsUtf8(String name) {
        try (MemFd memfd = MemFd.create(name)) {
            byte[] link = memfd.withRawFd((fd) -> {
                byte[] buffer = new byte[512];
                int length = (int) TestLibc.readlink("/proc/self/fd/" + fd, buffer, buffer.length);
                return Arrays.copyOf(buffer, length);
            });
            assertThat(link).isEqualTo(("/memfd:" + name + " (deleted)").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** One byte over the kernel's limit, in ASCII and in two-byte characters: refused before any memfd is made. */
    static Stream<String> namesOneByteTooLong() {
        return Stream.of("x".repeat(MemFd.MAX_NAME_BYTES + 1), "é".repeat((MemFd.MAX_NAME_BYTES + 1) / 2),
                "x".repeat(MemFd.MAX_NAME_BYTES - 1) + "é");
    }

    @ParameterizedTest
    @MethodSource("namesOneByteTooLong")
    void aNameOverMaxNameBytesIsRefusedBeforeAnyMemfdIsMade(String name) throws InterruptedException {
        Set<OpenFds.Fd> before = OpenFds.snapshot();

        assertThatThrownBy(() -> MemFd.create(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("it has " + (MemFd.MAX_NAME_BYTES + 1) + " bytes in UTF-8");
        OpenFds.assertNoneOpenedSince(before);
    }
}
