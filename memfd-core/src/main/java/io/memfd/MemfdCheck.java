package io.memfd;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decides whether a descriptor received from elsewhere really is a memfd. {@code F_GET_SEALS} alone is not enough:
 * it succeeds on any shmem file, {@code /dev/shm} ones included. A memfd's {@code /proc/self/fd} link reads
 * {@code /memfd:NAME (deleted)}, it is a regular file and its seals are readable.
 *
 * <p>The file system is not asked ({@code fstatfs}): the kernel answers {@code F_GET_SEALS} only for files of
 * shmem (whose file system reports itself as tmpfs) and of hugetlbfs, so readable seals already prove what
 * {@code f_type} would, and the check runs for every buffer a server receives.
 */
final class MemfdCheck {

    private static final String PREFIX = "/memfd:";
    private static final String DELETED = " (deleted)";

    private MemfdCheck() {
    }

    /**
     * A descriptor found to be a memfd: its name (as given to {@code memfd_create}), its seal bits, and its size, the
     * bytes of pages it holds and their size, read after the seals.
     */
    record Found(String name, int sealBits, long size, long allocated, long pageSize) {
    }

    /**
     * Returns what makes the descriptor a memfd, or throws a {@link NotMemFdException} that says what it is instead.
     * Never closes the descriptor. Each fact is read once: this runs for every buffer a server receives.
     *
     * @param target the descriptor's link target, from {@link ProcFdLink#target}
     */
    static Found check(int fd, String target, String operation) {
        if (target == null) {
            if (!Files.isDirectory(Path.of("/proc/self/fd"))) {
                throw new NotMemFdException(operation, fd, "/proc is not mounted, and without its /proc/self/fd link"
                        + " no descriptor can be told to be a memfd");
            }
            // A memfd's link is short ("/memfd:" + at most 249 bytes + " (deleted)"), so it is always readable.
            throw new NotMemFdException(operation, fd, "its /proc/self/fd link cannot be read, so it is not a memfd");
        }
        if (!target.startsWith(PREFIX) || !target.endsWith(DELETED)) {
            throw new NotMemFdException(operation, fd, "it is " + describe(target) + ", not a memfd");
        }
        // Seals before size: a sender still holding the file may resize it and then seal it, so only a size read
        // after seals that fix it is final (adopt keeps such a size for good).
        int sealBits = Fcntl.sealBitsOrMinusOne(fd);
        FileStatus.Regular file = FileStatus.regularFile(fd, null);
        if (!file.regular()) {
            throw new NotMemFdException(operation, fd, "it is named like a memfd (" + target
                    + ") but is not a regular file");
        }
        if (sealBits < 0) {
            throw new NotMemFdException(operation, fd, "it is named like a memfd (" + target
                    + ") but cannot carry seals");
        }
        String name = target.substring(PREFIX.length(), target.length() - DELETED.length());
        String problem = MemfdCreate.nameProblem(name);
        if (problem != null) {
            throw new InvalidNameException(operation, fd, "the memfd \"" + MemfdCreate.escaped(name)
                    + "\" is refused: " + problem);
        }
        return new Found(name, sealBits, file.size(), file.allocated(), file.pageSize());
    }

    private static String describe(String target) {
        if (target.startsWith("pipe:")) {
            return "a pipe";
        }
        if (target.startsWith("socket:")) {
            return "a socket";
        }
        if (target.startsWith("anon_inode:")) {
            return "an anonymous inode (" + target.substring("anon_inode:".length()) + ")";
        }
        if (target.startsWith("/dev/shm/")) {
            return "a POSIX shared memory file (" + target + ")";
        }
        return "the file " + target;
    }
}
