package io.memfd.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** This process's open descriptors, read from {@code /proc/self/fd}. */
public final class OpenFds {

    private OpenFds() {
    }

    public static int count() {
        return targets().size();
    }

    /** What each open descriptor refers to, e.g. {@code /memfd:name (deleted)}. */
    public static List<String> targets() {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (NoSuchFileException e) {
                    // The descriptor the listing itself used, closed by now.
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return targets;
    }

    /**
     * Fails unless the count returns to {@code baseline} within ten seconds. Waiting is needed where descriptors are
     * closed by other threads a moment after the test's own step (a server closing its end of a connection once it
     * sees the client's end); the wait ends as soon as the count matches.
     */
    public static void assertBackTo(int baseline) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (count() != baseline && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        List<String> targets = targets();
        if (targets.size() != baseline) {
            throw new AssertionError("expected " + baseline + " open descriptors, found " + targets.size() + ": "
                    + targets);
        }
    }

    /** How many open descriptors are memfds with exactly this name. */
    public static long memfdsNamed(String name) {
        return targets().stream().filter(target -> target.equals("/memfd:" + name + " (deleted)")).count();
    }

    /** The {@code flags:} line of {@code /proc/self/fdinfo/N}, as a number (octal in the file). */
    public static int statusFlags(int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("flags:")) {
                    return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no flags line for fd " + fd);
    }
}
