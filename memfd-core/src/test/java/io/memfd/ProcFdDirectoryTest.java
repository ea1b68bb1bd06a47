package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.internal.ProcFdDirectory;
import io.memfd.testing.OpenFds;
import io.memfd.testing.TestLibc;

/** Reading descriptors' links through the full path and through a held {@code /proc/self/fd}. */
class ProcFdDirectoryTest {

    private static final String FD_DIRECTORY = "/proc/" + ProcessHandle.current().pid() + "/fd";

    @Test
    void aLinkReadsTheSameThroughTheHeldDirectoryAndThroughTheFullPath() {
        try (MemFd memfd = MemFd.create("grüße ✓ (x)")) {
            String throughPath = memfd.withRawFd(fd -> ProcFdLink.target(fd, "test"));
            ProcFdDirectory.hold();
            String throughDirectory;
            try {
                throughDirectory = memfd.withRawFd(fd -> ProcFdLink.target(fd, "test"));
            } finally {
                ProcFdDirectory.letGo();
            }

            assertThat(throughPath).isEqualTo("/memfd:grüße ✓ (x) (deleted)");
            assertThat(throughDirectory).isEqualTo(throughPath);
        }
    }

    @Test
    void aNumberThatIsNotOpenIsReportedEitherWay() {
        assertThatThrownBy(() -> ProcFdLink.target(987654, "test")).isInstanceOf(NotMemFdException.class)
                .hasMessage("descriptor (fd 987654): test failed: no descriptor with this number is open");
        ProcFdDirectory.hold();
        try {
            assertThatThrownBy(() -> ProcFdLink.target(987654, "test"))
                    .isInstanceOf(NotMemFdException.class)
                    .hasMessage("descriptor (fd 987654): test failed: no descriptor with this number is open");
        } finally {
            ProcFdDirectory.letGo();
        }
    }

    @Test
    void aLongTargetIsReadWhole(@TempDir Path directory) throws IOException {
        Path deep = Files.createDirectories(directory.resolve("d".repeat(200)).resolve("e".repeat(200)));
        Path file = Files.createFile(deep.resolve("f".repeat(200)));
        int fd = TestLibc.open(file.toString(), TestLibc.O_RDONLY | TestLibc.O_CLOEXEC, 0);
        try {
            assertThat(file.toString()).hasSizeGreaterThan(600);
            assertThat(ProcFdLink.target(fd, "test")).isEqualTo(file.toString());
        } finally {
            TestLibc.close(fd);
        }
    }

    @Test
    void theDirectoryIsOpenWhileAnyoneHoldsItAndClosedAfterTheLast() throws InterruptedException {
        Set<OpenFds.Fd> before = OpenFds.snapshot();
        ProcFdDirectory.hold();
        ProcFdDirectory.hold();
        Set<OpenFds.Fd> whileHeldTwice = directoriesOpenedSince(before);
        ProcFdDirectory.letGo();
        Set<OpenFds.Fd> whileHeldOnce = directoriesOpenedSince(before);
        ProcFdDirectory.letGo();

        assertThat(whileHeldTwice).hasSize(1);
        assertThat(whileHeldOnce).isEqualTo(whileHeldTwice);
        OpenFds.assertNoneOpenedSince(before);
    }

    /** The descriptors of this process's fd directory opened since {@code before}. */
    private static Set<OpenFds.Fd> directoriesOpenedSince(Set<OpenFds.Fd> before) {
        Set<OpenFds.Fd> opened = OpenFds.openedSince(before);
        opened.removeIf(fd -> !fd.target().equals(FD_DIRECTORY));
        return opened;
    }
}
