package io.memfd.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.memfd.NotMemFdException;

/**
 * Decides whether a descriptor received from elsewhere really is a memfd. {@code F_GET_SEALS} alone is not enough:
 * it succeeds on any shmem file, {@code /dev/shm} ones included. A memfd's {@code /proc/self/fd} link reads
 * {@code /memfd:NAME (deleted)}, it is a regular file, its seals are readable and it lives on tmpfs or hugetlbfs.
 */
public final class MemfdCheck {

    private static final String PREFIX = "/memfd:";
    private static final String DELETED = " (deleted)";
    private static final long TMPFS_MAGIC = 0x01021994L;
    private static final long HUGETLBFS_MAGIC = 0x958458f6L;

    private MemfdCheck() {
    }

    /** Whether a descriptor with this number is open in this process. */
    public static boolean isOpen(int fd) {
        return Files.exists(procSelf(fd), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Returns the memfd's name (as given to {@code memfd_create}), or throws a {@link NotMemFdException} that says
     * what the descriptor is instead. Never closes the descriptor.
     */
    public static String nameOf(int fd, String operation) {
        String target = linkTarget(fd, operation);
        if (!target.startsWith(PREFIX) || !target.endsWith(DELETED)) {
            throw new NotMemFdException(operation, fd, "it is " + describe(target) + ", not a memfd");
        }
        if (!FileStatus.isRegularFile(fd, null)) {
            throw new NotMemFdException(operation, fd, "it is named like a memfd (" + target
                    + ") but is not a regular file");
        }
        if (Fcntl.sealBitsOrMinusOne(fd) < 0) {
            throw new NotMemFdException(operation, fd, "it is named like a memfd (" + target
                    + ") but cannot carry seals");
        }
        long fileSystem = FileStatus.fileSystemType(fd, null);
        if (fileSystem != TMPFS_MAGIC && fileSystem != HUGETLBFS_MAGIC) {
            throw new NotMemFdException(operation, fd, "it is named like a memfd (" + target
                    + ") but lives on a file system of type 0x" + Long.toHexString(fileSystem));
        }
        return target.substring(PREFIX.length(), target.length() - DELETED.length());
    }

    private static String linkTarget(int fd, String operation) {
        try {
            return Files.readSymbolicLink(procSelf(fd)).toString();
        } catch (NoSuchFileException e) {
            throw new NotMemFdException(operation, fd, "no descriptor with this number is open");
        } catch (IOException e) {
            throw new NotMemFdException(operation, fd, "its /proc/self/fd link cannot be read: " + e.getMessage());
        }
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

    private static Path procSelf(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }
}
