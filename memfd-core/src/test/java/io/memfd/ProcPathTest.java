package io.memfd;

import static io.memfd.testing.Io.unchecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.testing.TestLibc;

/**
 * A memfd's {@code /proc/PID/fd/N} path names it only while its descriptor is open; after a close the kernel gives the
 * number to the next file opened, and the same path opens that file. So the path is lent only for the length of a
 * call, during which the descriptor cannot be closed, and no snapshot carries it.
 */
class ProcPathTest {

    @TempDir
    Path directory;

    @Test
    void thePathNamesTheMemfdForTheWholeCallEvenWhenItIsClosedMeanwhile() throws Exception {
        Path secret = Files.writeString(directory.resolve("key.pem"), "PRIVATE KEY");
        MemFd memfd = MemFd.create("public");
        memfd.write(0, "public data".getBytes(StandardCharsets.UTF_8));

        String read = memfd.withProcPath(unchecked(path -> {
            memfd.close();
            // Were the descriptor closed now, the next open would take its number and the path would name the key.
            int fd = TestLibc.open(secret.toString(), TestLibc.O_RDONLY, 0);
            try {
                return Files.readString(path);
            } finally {
                TestLibc.close(fd);
            }
        }));

        assertThat(read).isEqualTo("public data");
        assertThat(memfd.isOpen()).isFalse();
        assertThatThrownBy(() -> memfd.withProcPath(path -> path)).isInstanceOf(MemFdClosedException.class);
    }

    @Test
    void aSnapshotCarriesNoPath() {
        List<String> components = Arrays.stream(MemFdInfo.class.getRecordComponents()).map(c -> c.getName()).toList();

        assertThat(components).noneMatch(name -> name.toLowerCase().contains("path"));
    }
}
