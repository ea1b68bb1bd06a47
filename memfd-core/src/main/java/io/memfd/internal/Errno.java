package io.memfd.internal;

/**
 * The Linux errno values this library meets, each with its symbolic name and a plain-words meaning.
 * The numbers are the generic Linux ones, shared by x86_64 and aarch64.
 */
public enum Errno {
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such file or directory"),
    EINTR(4, "interrupted by a signal"),
    EIO(5, "input/output error"),
    EBADF(9, "bad file descriptor (closed, or not open for this kind of access)"),
    EAGAIN(11, "resource temporarily unavailable"),
    ENOMEM(12, "out of memory (or no huge pages left)"),
    EACCES(13, "permission denied"),
    EFAULT(14, "bad address"),
    EBUSY(16, "resource busy"),
    EEXIST(17, "already exists"),
    ENODEV(19, "no such device (this file type does not support the operation)"),
    EINVAL(22, "invalid argument"),
    ENFILE(23, "the system-wide limit on open files was reached"),
    EMFILE(24, "this process's limit on open files was reached (ulimit -n)"),
    EFBIG(27, "file too large"),
    ENOSPC(28, "no space left (tmpfs, cgroup or hugetlb limit reached)"),
    ESPIPE(29, "illegal seek"),
    EPIPE(32, "broken pipe (the peer closed the connection)"),
    ENAMETOOLONG(36, "name too long"),
    ENOSYS(38, "system call not implemented by this kernel"),
    ELOOP(40, "too many symbolic links"),
    EOVERFLOW(75, "value too large for the data type"),
    ENOTSOCK(88, "not a socket"),
    EMSGSIZE(90, "message too long"),
    EPROTOTYPE(91, "wrong socket type (e.g. a stream socket where a SOCK_SEQPACKET one was expected)"),
    EOPNOTSUPP(95, "operation not supported"),
    EADDRINUSE(98, "address already in use"),
    ECONNABORTED(103, "connection aborted before it was accepted"),
    ECONNRESET(104, "connection reset by peer"),
    ENOTCONN(107, "socket is not connected"),
    ETOOMANYREFS(109, "too many descriptors in flight (undelivered ones count against the sender's file limit)"),
    ECONNREFUSED(111, "connection refused (nothing listens at that address)");

    private final int code;
    private final String meaning;

    Errno(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    /** Plain words for {@code code}, e.g. {@code "invalid argument"}. */
    public static String meaning(int code) {
        Errno errno = of(code);
        return errno == null ? "error number " + code : errno.meaning;
    }

    /** The symbolic name of {@code code} ({@code "EINVAL"}), or {@code "errno N"} for one not listed here. */
    public static String nameOf(int code) {
        Errno errno = of(code);
        return errno == null ? "errno " + code : errno.name();
    }

    private static Errno of(int code) {
        for (Errno errno : values()) {
            if (errno.code == code) {
                return errno;
            }
        }
        return null;
    }
}
