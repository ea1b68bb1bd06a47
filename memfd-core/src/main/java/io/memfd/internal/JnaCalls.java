package io.memfd.internal;

import java.nio.ByteBuffer;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * {@link NativeCalls} through JNA direct mapping ({@code Native.register}), the fastest way JNA has: one JNI
 * transition per call and no marshalling, since every argument is a primitive. No call allocates, failing or not.
 *
 * <p>Nothing of JNA is touched before the first call, so that choosing this backend cannot fail: where JNA cannot
 * load its native stub, a call throws JNA's {@link LinkageError} and {@link JnaDispatch#problem()} says why; the
 * library's ways in (creating, adopting, building an IPC server or client) ask that first and throw the reason.
 * {@code fcntl} is variadic in C; calling it through a fixed signature with integer arguments is correct on the
 * x86_64 and aarch64 Linux ABIs.
 */
final class JnaCalls implements NativeCalls {


    @Override
    public String name() {
        return "jna";
    }

    @Override
    public long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct)) + direct.position();
    }

    @Override
    public boolean hasMemfdCreateSymbol() {
        return CLibrary.MEMFD_CREATE_SYMBOL;
    }

    @Override
    public int memfdCreate(long name, int flags) {
        if (!CLibrary.MEMFD_CREATE_SYMBOL) {
            return memfdCreateSyscall(name, flags);
        }
        return result(MemfdCreateSymbol.memfd_create(name, flags));
    }

    @Override
    public int memfdCreateSyscall(long name, int flags) {
        long number = NativeBackend.memfdCreateSyscallNumber();
        if (number < 0) {
            return -Errno.ENOSYS.code();
        }
        return (int) result(Syscall.LIBRARY.syscall(number, new Pointer(name), flags));
    }

    @Override
    public int fcntl(int fd, int command, int argument) {
        return result(C.fcntl(fd, command, argument));
    }

    @Override
    public long pread(int fd, long buffer, long count, long offset) {
        return result(C.pread(fd, buffer, count, offset));
    }

    @Override
    public long pwrite(int fd, long buffer, long count, long offset) {
        return result(C.pwrite(fd, buffer, count, offset));
    }

    @Override
    public int ftruncate(int fd, long length) {
        return result(C.ftruncate(fd, length));
    }

    @Override
    public int fallocate(int fd, int mode, long offset, long length) {
        return result(C.fallocate(fd, mode, offset, length));
    }

    @Override
    public int statx(int directory, long path, int flags, int mask, long statx) {
        return result(C.statx(directory, path, flags, mask, statx));
    }

    @Override
    public int fstatfs(int fd, long statfs) {
        return result(C.fstatfs(fd, statfs));
    }

    @Override
    public int open(long path, int flags, int mode) {
        return result(C.open(path, flags, mode));
    }

    @Override
    public int chmod(long path, int mode) {
        return result(C.chmod(path, mode));
    }

    @Override
    public long readlinkat(int directory, long path, long buffer, long size) {
        return result(C.readlinkat(directory, path, buffer, size));
    }

    @Override
    public int close(int fd) {
        return result(C.close(fd));
    }

    @Override
    public int fchmod(int fd, int mode) {
        return result(C.fchmod(fd, mode));
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return result(C.socket(domain, type, protocol));
    }

    @Override
    public int bind(int fd, long address, int length) {
        return result(C.bind(fd, address, length));
    }

    @Override
    public int listen(int fd, int backlog) {
        return result(C.listen(fd, backlog));
    }

    @Override
    public int accept4(int fd, long address, long length, int flags) {
        return result(C.accept4(fd, address, length, flags));
    }

    @Override
    public int connect(int fd, long address, int length) {
        return result(C.connect(fd, address, length));
    }

    @Override
    public int shutdown(int fd, int how) {
        return result(C.shutdown(fd, how));
    }

    @Override
    public int getsockopt(int fd, int level, int option, long value, long length) {
        return result(C.getsockopt(fd, level, option, value, length));
    }

    @Override
    public int setsockopt(int fd, int level, int option, long value, int length) {
        return result(C.setsockopt(fd, level, option, value, length));
    }

    @Override
    public long sendmsg(int fd, long message, int flags) {
        return result(C.sendmsg(fd, message, flags));
    }

    @Override
    public long recvmsg(int fd, long message, int flags) {
        return result(C.recvmsg(fd, message, flags));
    }

    @Override
    public int poll(long fds, long count, int timeoutMillis) {
        return result(C.poll(fds, count, timeoutMillis));
    }

    @Override
    public int eventfd(int initialValue, int flags) {
        return result(C.eventfd(initialValue, flags));
    }

    @Override
    public int eventfdWrite(int fd, long value) {
        return result(C.eventfd_write(fd, value));
    }

    @Override
    public int geteuid() {
        return C.geteuid();
    }

    @Override
    public int getpagesize() {
        return C.getpagesize();
    }

    @Override
    public int getrlimit(int resource, long limits) {
        return result(C.getrlimit(resource, limits));
    }

    /**
     * A C function's result in the {@link NativeCalls} convention: itself, or {@code -errno} where it is -1. JNA
     * saves errno right after every call, before the JVM can change it; reading it only after a failure, rather
     * than declaring {@code throws LastErrorException}, costs a failing call no exception (1.8 KB and a stack trace).
     */
    private static int result(int value) {
        return value < 0 ? -Native.getLastError() : value;
    }

    private static long result(long value) {
        return value < 0 ? -Native.getLastError() : value;
    }

    /** The C library, looked up at the first call. */
    private static final class CLibrary {
        static final NativeLibrary LIBC = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
        static final boolean MEMFD_CREATE_SYMBOL = hasSymbol("memfd_create");

        private static boolean hasSymbol(String name) {
            try {
                LIBC.getFunction(name);
                return true;
            } catch (UnsatisfiedLinkError e) {
                return false;
            }
        }
    }

    /** The C library's functions under their own names: direct mapping binds each method to its symbol. */
    private static final class C {
        static {
            Native.register(C.class, CLibrary.LIBC);
        }

        static native int fcntl(int fd, int command, int argument);

        static native long pread(int fd, long buffer, long count, long offset);

        static native long pwrite(int fd, long buffer, long count, long offset);

        static native int ftruncate(int fd, long length);

        static native int fallocate(int fd, int mode, long offset, long length);

        static native int statx(int directory, long path, int flags, int mask, long statx);

        static native int fstatfs(int fd, long statfs);

        static native int open(long path, int flags, int mode);

        static native int chmod(long path, int mode);

        static native long readlinkat(int directory, long path, long buffer, long size);

        static native int close(int fd);

        static native int fchmod(int fd, int mode);

        static native int socket(int domain, int type, int protocol);

        static native int bind(int fd, long address, int length);

        static native int listen(int fd, int backlog);

        static native int accept4(int fd, long address, long length, int flags);

        static native int connect(int fd, long address, int length);

        static native int shutdown(int fd, int how);

        static native int getsockopt(int fd, int level, int option, long value, long length);

        static native int setsockopt(int fd, int level, int option, long value, int length);

        static native long sendmsg(int fd, long message, int flags);

        static native long recvmsg(int fd, long message, int flags);

        static native int poll(long fds, long count, int timeoutMillis);

        static native int eventfd(int initialValue, int flags);

        static native int eventfd_write(int fd, long value);

        static native int geteuid();

        static native int getpagesize();

        static native int getrlimit(int resource, long limits);
    }

    /** {@code memfd_create}, registered apart and only where the C library exports it. */
    private static final class MemfdCreateSymbol {
        static {
            Native.register(MemfdCreateSymbol.class, CLibrary.LIBC);
        }

        static native int memfd_create(long name, int flags);
    }

    /** {@code syscall(2)}, variadic, so through an interface mapping rather than direct mapping: a fallback only. */
    private static final class Syscall {
        private interface SyscallLibrary extends Library {
            long syscall(long number, Object... args);
        }

        static final SyscallLibrary LIBRARY = Native.load(Platform.C_LIBRARY_NAME, SyscallLibrary.class);
    }
}
