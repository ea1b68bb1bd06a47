package io.memfd.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * Where socket files go when the application chooses no path: a directory only this user may enter. Each case gets a
 * temporary directory of its own standing in for {@code java.io.tmpdir}, in which another user's moves are made.
 */
class RuntimeDirectoryTest {

    private static final long NOBODY = 65534;

    @TempDir
    Path temporary;

    private final long uid = UnixSockets.effectiveUid();

    @Test
    void aPrivateXdgRuntimeDirIsUsed() throws IOException {
        Path runtime = Files.createDirectory(temporary.resolve("run-user"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));

        assertThat(RuntimeDirectory.resolve(runtime.toString(), temporary)).isEqualTo(runtime);
    }

    @Test
    void withoutXdgRuntimeDirAPrivateDirectoryIsMadeInTheTemporaryDirectory() throws IOException {
        Path directory = RuntimeDirectory.resolve(null, temporary);

        assertThat(directory).isEqualTo(temporary.resolve("memfd-" + uid));
        assertThat(mode(directory)).isEqualTo("rwx------");
        assertThat(RuntimeDirectory.resolve("", temporary)).as("found again").isEqualTo(directory);
    }

    @Test
    void anXdgRuntimeDirOthersMayEnterIsPassedOver() throws IOException {
        Path shared = Files.createDirectory(temporary.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThat(RuntimeDirectory.resolve(shared.toString(), temporary)).isEqualTo(temporary.resolve("memfd-" + uid));
    }

    @Test
    void aDirectoryOthersMayEnterIsRefused() throws IOException {
        Path squatted = Files.createDirectory(temporary.resolve("memfd-" + uid));
        Files.setPosixFilePermissions(squatted, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> RuntimeDirectory.resolve(null, temporary)).isInstanceOf(IpcException.class)
                .hasMessageContaining(squatted.toString()).hasMessageContaining("mode 0777");
    }

    @Test
    void aSymbolicLinkInItsPlaceIsRefused() throws IOException {
        Path elsewhere = Files.createDirectory(temporary.resolve("elsewhere"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(temporary.resolve("memfd-" + uid), elsewhere);

        assertThatThrownBy(() -> RuntimeDirectory.resolve(null, temporary)).isInstanceOf(IpcException.class)
                .hasMessageContaining("not a directory (a symbolic link");
    }

    @Test
    void aDirectoryAnotherUserMadeIsRefused() throws IOException {
        assumeTrue(uid == 0, "only root can make a directory that belongs to another user");
        Path squatted = Files.createDirectory(temporary.resolve("memfd-" + uid), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(squatted, "unix:uid", (int) NOBODY, LinkOption.NOFOLLOW_LINKS);

        assertThatThrownBy(() -> RuntimeDirectory.resolve(null, temporary)).isInstanceOf(IpcException.class)
                .hasMessageContaining("it belongs to uid " + NOBODY);
    }

    @Test
    void aTemporaryDirectoryOthersCouldReplaceItInIsRefusedUnlessSticky() throws IOException {
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            assertThatThrownBy(() -> RuntimeDirectory.resolve(null, temporary)).isInstanceOf(IpcException.class)
                    .hasMessageContaining("writable by others and not sticky");
            // As /tmp is: sticky, so others cannot remove or rename what this user made in it.
            Files.setAttribute(temporary, "unix:mode", 01777);
            assertThat(RuntimeDirectory.resolve(null, temporary)).isEqualTo(temporary.resolve("memfd-" + uid));
        } finally {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
