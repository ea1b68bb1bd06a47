package io.memfd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * This process's open descriptors, read from {@code /proc/self/fd}. Tests compare the descriptors themselves (number,
 * link target, inode), never a count: anything else in the JVM may close a descriptor at any moment (the process
 * reaper the pipes of a child that ended, a {@link java.lang.ref.Cleaner} a collected channel), which must not fail a
 * test about what the code under test opened.
 */
public final class OpenFds {

    private static final Path FD = Path.of("/proc/self/fd");
    /** Far longer than the JVM keeps a file open that it reads for itself. */
    private static final long MOMENT_MILLIS = 1_000;
    /** Far longer than another thread takes to close its end of a connection, far shorter than a leak lasts. */
    private static final long QUIESCENCE_MILLIS = 30_000;

    static {
        // The first native class JNA registers opens descriptors that stay open for good (libffi's trampoline file,
        // the random devices): open them now, so that no snapshot sees them appear in the middle of a test.
        TestLibc.getpid();
    }

    private OpenFds() {
    }

    /**
     * One open descriptor. The inode tells apart two files with the same target (memfds of the same name); a number
     * closed and reused for another file is another {@code Fd}.
     *
     * @param target where its {@code /proc/self/fd} link points, e.g. {@code /memfd:name (deleted)}, {@code pipe:[123]}
     * @param inode from {@code /proc/self/fdinfo} (Linux 5.14+), or -1 where the kernel does not show it
     */
    public record Fd(int number, String target, long inode) {
    }

    /** The descriptors open now. */
    public static Set<Fd> snapshot() {
        List<Integer> numbers;
        try (Stream<Path> fds = Files.list(FD)) {
            numbers = fds.map(fd -> Integer.valueOf(fd.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // Read once the listing is closed, so that the listing's own descriptor is not among them.
        Set<Fd> open = new HashSet<>();
        for (int number : numbers) {
            describe(number).ifPresent(open::add);
        }
        return open;
    }

    /** The descriptor open under {@code number} now, if one is. */
    public static Optional<Fd> describe(int number) {
        String target;
        List<String> info;
        try {
            target = target(number);
            info = Files.readAllLines(Path.of("/proc/self/fdinfo/" + number));
        } catch (IOException e) {
            // Not open, or closed between the reads (reading fdinfo then fails with ENOENT).
            return Optional.empty();
        }
        long inode = -1;
        for (String line : info) {
            if (line.startsWith("ino:")) {
                inode = Long.parseLong(line.substring("ino:".length()).trim());
            }
        }
        return Optional.of(new Fd(number, target, inode));
    }

    private static String target(int number) throws IOException {
        try {
            return Files.readSymbolicLink(FD.resolve(Integer.toString(number))).toString();
        } catch (NoSuchFileException e) {
            throw e;
        } catch (FileSystemException e) {
            // Open, but its link cannot be read: a path longer than PATH_MAX (ENAMETOOLONG).
            return "unreadable link: " + e.getReason();
        }
    }

    /** Whether this very descriptor is still open: its number still refers to the same file. */
    public static boolean isOpen(Fd fd) {
        return describe(fd.number()).equals(Optional.of(fd));
    }

    /** The descriptors open now that were not open at {@code before}. Those closed since do not matter. */
    public static Set<Fd> openedSince(Set<Fd> before) {
        Set<Fd> opened = snapshot();
        opened.removeAll(before);
        return opened;
    }

    /**
     * Fails unless every descriptor opened since {@code before} is closed: for code that closes what it opens before
     * it returns. The JVM itself opens files for a moment now and then (it reads its cgroup's {@code memory.stat}), so
     * a descriptor that is gone within a second does not count. A second is too short, unless a collection comes
     * meanwhile, for a leaked object that a {@link java.lang.ref.Cleaner} closes (a {@code MemFd}, a
     * {@code FileChannel}) to go unnoticed.
     */
    public static void assertNoneOpenedSince(Set<Fd> before) throws InterruptedException {
        assertClosedWithin(openedSince(before), MOMENT_MILLIS);
    }

    /**
     * Fails unless every descriptor opened since {@code before} is closed, waiting for it up to 30 s where another
     * thread or process closes it a moment after the test's own step (a server closing its end of a connection once it
     * sees the client's end). The wait ends as soon as none is left. A leaked object that a Cleaner closes when it is
     * collected may be collected during the wait, and pass: where the code under test closes its descriptors before it
     * returns, use {@link #assertNoneOpenedSince} instead.
     */
    public static void awaitNoneOpenedSince(Set<Fd> before) throws InterruptedException {
        assertClosedWithin(openedSince(before), QUIESCENCE_MILLIS);
    }

    /** Waits up to {@code millis} for each of {@code opened} to be closed, then fails if one is still open. */
    private static void assertClosedWithin(Set<Fd> opened, long millis) throws InterruptedException {
        Set<Fd> open = new HashSet<>(opened);
        Awaitility.await().atMost(Duration.ofMillis(millis)).pollInterval(Duration.ofMillis(5))
                .untilAsserted(() -> {
                    open.removeIf(fd -> !isOpen(fd));
                    assertThat(open).as("descriptors opened since the snapshot, still open after %d ms", millis)
                            .isEmpty();
                });
    }

    /** How many open descriptors are memfds with exactly this name. */
    public static long memfdsNamed(String name) {
        return snapshot().stream().filter(fd -> fd.target().equals("/memfd:" + name + " (deleted)")).count();
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
