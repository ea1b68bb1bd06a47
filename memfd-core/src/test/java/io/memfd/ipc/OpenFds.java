package io.memfd.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** This process's open descriptors, from {@code /proc/self/fd}: how tests prove that nothing leaked. */
final class OpenFds {

    /** Generous: the server closes a connection's descriptor when its thread notices the end, a moment later. */
    private static final long SETTLE_MILLIS = 10_000;

    private OpenFds() {
    }

    static int count() {
        return list().size();
    }

    /**
     * Asserts that the count returns to {@code baseline}. Waits for it, because descriptors of connections the client
     * closed are closed by server threads that notice the end asynchronously; the wait ends as soon as it does.
     */
    static void assertBackTo(int baseline) throws InterruptedException {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        while (count() != baseline && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(count()).as("open descriptors, expected %d: %s", baseline, list()).isEqualTo(baseline);
    }

    /** Each open descriptor with what it refers to, e.g. {@code 7 -> /memfd:x (deleted)}. */
    static List<String> list() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(OpenFds::describe).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(Path fd) {
        try {
            return fd.getFileName() + " -> " + Files.readSymbolicLink(fd);
        } catch (IOException e) {
            // Closed by another thread between the listing and this look.
            return fd.getFileName() + " -> (closed)";
        }
    }
}
