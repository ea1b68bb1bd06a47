package io.memfd;

import java.util.EnumSet;
import java.util.Set;

import io.memfd.internal.Errno;
import io.memfd.internal.NativeBackend;
import io.memfd.internal.NativeCalls;

/** {@code fcntl(2)}: seals, duplication and the access mode of a descriptor. */
final class Fcntl {

    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int F_GETFD = 1;
    private static final int F_GETFL = 3;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_GET_SEALS = 1034;
    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;

    private static final NativeCalls C = NativeBackend.calls();

    private Fcntl() {
    }

    /** The file's seals. */
    static EnumSet<Seal> seals(int fd, String name) {
        return Seal.fromBits(sealBits(fd, name));
    }

    /** The file's seal bits, including any this library does not know. */
    static int sealBits(int fd, String name) {
        int seals = C.fcntl(fd, F_GET_SEALS, 0);
        if (seals < 0) {
            int errno = -seals;
            if (errno == Errno.EINVAL.code()) {
                throw new UnsupportedByKernelException("read seals", name, fd,
                        "the file does not support seals (only memfds and other shmem files do)", errno);
            }
            throw MemFdException.failure("read seals", name, fd, errno);
        }
        return seals;
    }

    /** The file's seal bits, or -1 when the file cannot carry seals (it is not shmem or hugetlbfs). */
    static int sealBitsOrMinusOne(int fd) {
        return Math.max(C.fcntl(fd, F_GET_SEALS, 0), -1);
    }

    /** Adds {@code seals}; seals already present are kept, so re-adding one is a no-op. */
    static void addSeals(int fd, String name, Set<Seal> seals) {
        int result = C.fcntl(fd, F_ADD_SEALS, Seal.toBits(seals));
        if (result < 0) {
            int errno = -result;
            // EPERM: the seals present tell its cause (below), and whether anything was asked that is not already
            // true. The kernel refuses every addition once F_SEAL_SEAL is set, even of present seals; asking for
            // those only does nothing, so makeImmutable() on an immutable memfd (one received sealed, say) succeeds.
            EnumSet<Seal> present = (errno == Errno.EPERM.code()) ? seals(fd, name) : null;
            if (present == null || !present.containsAll(seals)) {
                throw addSealsFailed(fd, name, seals, errno, present);
            }
        }
    }

    /** @param present the seals present, read for {@code EPERM} only (otherwise {@code null}) */
    private static MemFdException addSealsFailed(int fd, String name, Set<Seal> seals, int errno,
            EnumSet<Seal> present) {
        String operation = "add seals " + seals;
        if (errno == Errno.EBUSY.code()) {
            return new MappingBusyException(operation, name, fd, errno);
        }
        if (errno == Errno.EPERM.code()) {
            // EPERM has two causes: F_SEAL_SEAL is set, or the descriptor was not opened for writing.
            if (present.contains(Seal.SEAL)) {
                return new SealedException(operation, name, fd, Seal.SEAL, "the memfd is " + Seal.SEAL.meaning()
                        + ": it was sealed so, or created without sealing allowed (MFD_ALLOW_SEALING off:"
                        + " MemFdOptions.allowSealing(false)), which gives it this seal from the start", errno);
            }
            if (isReadOnly(fd, name)) {
                return new NotPermittedException(operation, name, fd,
                        "seals can only be added through a descriptor open for writing, and this one is read-only",
                        errno);
            }
        }
        if (errno == Errno.EINVAL.code()) {
            return new UnsupportedByKernelException(operation, name, fd,
                    "the kernel does not know one of these seals (FUTURE_WRITE needs Linux 5.1+, EXEC 6.3+),"
                            + " or the file does not support seals",
                    errno);
        }
        return MemFdException.failure(operation, name, fd, errno);
    }

    /** A new descriptor for the same open file, with close-on-exec set. */
    static int dupCloseOnExec(int fd, String name) {
        int duplicate = C.fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (duplicate < 0) {
            throw MemFdException.failure("duplicate the descriptor", name, fd, -duplicate);
        }
        return duplicate;
    }

    /**
     * Throws {@link OutOfDescriptorsException}, caused by {@code failure}, if this process has no descriptor left,
     * found by trying to duplicate {@code fd}: for failures reported without an errno (the JDK's opening of
     * {@code /proc/self/fd/N} gives only a message, in the system's language), so that running out of descriptors is
     * typed wherever it happens. The system-wide limit ({@code ENFILE}) cannot be found so: a duplicate opens no file.
     */
    static void requireFreeDescriptor(int fd, String operation, String name, Exception failure) {
        int probe = C.fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (probe >= 0) {
            C.close(probe);
        } else if (probe == -Errno.EMFILE.code()) {
            MemFdException outOfDescriptors = MemFdException.failure(operation, name, fd, Errno.EMFILE.code());
            outOfDescriptors.initCause(failure);
            throw outOfDescriptors;
        }
    }

    /** Whether a descriptor is open under this number ({@code F_GETFD} answers anything but {@code EBADF}). */
    static boolean isOpen(int fd) {
        return C.fcntl(fd, F_GETFD, 0) != -Errno.EBADF.code();
    }

    /** Whether the descriptor was opened read-only. */
    static boolean isReadOnly(int fd, String name) {
        return (statusFlags(fd, name) & O_ACCMODE) == O_RDONLY;
    }

    private static int statusFlags(int fd, String name) {
        int flags = C.fcntl(fd, F_GETFL, 0);
        if (flags < 0) {
            throw MemFdException.failure("read the descriptor's flags", name, fd, -flags);
        }
        return flags;
    }
}
