package io.memfd.internal;

import java.nio.ByteBuffer;

/**
 * Every C function this library calls, as the C library exports it, and nothing more: the seam between the bindings
 * of this package, which give each call its meaning and its exceptions, and the mechanism that reaches native code.
 * Two implementations: the Foreign Function &amp; Memory API on Java 22+ ({@code FfmCalls}, in the jar's
 * {@code META-INF/versions/22}) and JNA direct mapping everywhere else ({@code JnaCalls}); {@link NativeBackend}
 * picks one per process.
 *
 * <p><b>Error convention.</b> Each method returns what the C function returns on success, which for every function
 * here is never negative, and {@code -errno} on failure: a call site reads {@code int r = calls.fcntl(...); if (r < 0)
 * { errno = -r; ... }}. No method throws for an errno, retries after {@code EINTR}, or allocates on the Java heap:
 * those decisions stay in the binding next to the call, in the operation's words. An {@code int} return carries no
 * more than the kernel's own: system calls return {@code -errno} in the same register.
 *
 * <p><b>Arguments.</b> As the C ABI takes them on 64-bit Linux: {@code int} for {@code int}, {@code long} for
 * {@code size_t}, {@code off_t} and every pointer. A pointer is a native address ({@link #address} of a direct
 * buffer); a string is NUL-terminated bytes there. Java arrays never cross the seam, so neither implementation
 * copies anything in or out.
 */
public interface NativeCalls {

    /** {@code "ffm"} or {@code "jna"}: what {@link NativeBackend#name()} reports. */
    String name();

    /** The native address of a direct buffer's current position. */
    long address(ByteBuffer direct);

    /** Whether the C library exports {@code memfd_create} (glibc 2.27+); otherwise {@link #memfdCreate} uses
     * {@code syscall(2)}. */
    boolean hasMemfdCreateSymbol();

    /** {@code memfd_create(name, flags)}: through the C library's symbol where it has one, else the raw system call. */
    int memfdCreate(long name, int flags);

    /** {@code syscall(SYS_memfd_create, name, flags)} even where the symbol exists; {@code -ENOSYS} where this
     * architecture's number is not known. */
    int memfdCreateSyscall(long name, int flags);

    /** {@code fcntl(fd, command, argument)} for the commands that take an {@code int} or nothing. */
    int fcntl(int fd, int command, int argument);

    long pread(int fd, long buffer, long count, long offset);

    long pwrite(int fd, long buffer, long count, long offset);

    int ftruncate(int fd, long length);

    int fallocate(int fd, int mode, long offset, long length);

    int statx(int directory, long path, int flags, int mask, long statx);

    int fstatfs(int fd, long statfs);

    int open(long path, int flags, int mode);

    int chmod(long path, int mode);

    long readlinkat(int directory, long path, long buffer, long size);

    int close(int fd);

    int fchmod(int fd, int mode);

    int socket(int domain, int type, int protocol);

    int bind(int fd, long address, int length);

    int listen(int fd, int backlog);

    int accept4(int fd, long address, long length, int flags);

    int connect(int fd, long address, int length);

    int shutdown(int fd, int how);

    int getsockopt(int fd, int level, int option, long value, long length);

    int setsockopt(int fd, int level, int option, long value, int length);

    long sendmsg(int fd, long message, int flags);

    long recvmsg(int fd, long message, int flags);

    int poll(long fds, long count, int timeoutMillis);

    int eventfd(int initialValue, int flags);

    int eventfdWrite(int fd, long value);

    /** {@code geteuid()}, which cannot fail: the raw {@code uid_t} bits, to be read unsigned. */
    int geteuid();

    /** {@code getpagesize()}, which cannot fail. */
    int getpagesize();

    /** {@code getrlimit(resource, limits)}: {@code limits} points to two 64-bit values, the soft and the hard limit. */
    int getrlimit(int resource, long limits);
}
