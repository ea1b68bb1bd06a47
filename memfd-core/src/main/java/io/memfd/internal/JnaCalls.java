package io.memfd.internal;

import java.nio.ByteBuffer;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * {@link NativeCalls} through JNA direct mapping ({@code Native.register}), the fastest way JNA has: one JNI
 * transition per call and no marshalling, since every argument is a primitive. A failing call throws
 * {@link LastErrorException}, which this class turns into {@code -errno}; a successful one allocates nothing.
 *
 * <p>{@code fcntl} is variadic in C; calling it through a fixed signature with integer arguments is correct on the
 * x86_64 and aarch64 Linux ABIs.
 */
final class JnaCalls implements NativeCalls {

    private static final NativeLibrary LIBC = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
    private static final boolean MEMFD_CREATE_SYMBOL = hasSymbol("memfd_create");

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
        return MEMFD_CREATE_SYMBOL;
    }

    @Override
    public int memfdCreate(long name, int flags) {
        if (!MEMFD_CREATE_SYMBOL) {
            return memfdCreateSyscall(name, flags);
        }
        try {
            return MemfdCreateSymbol.memfd_create(name, flags);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int memfdCreateSyscall(long name, int flags) {
        long number = NativeBackend.memfdCreateSyscallNumber();
        if (number < 0) {
            return -Errno.ENOSYS.code();
        }
        try {
            return (int) Syscall.LIBRARY.syscall(number, new Pointer(name), flags);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int fcntl(int fd, int command, int argument) {
        try {
            return C.fcntl(fd, command, argument);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public long pread(int fd, long buffer, long count, long offset) {
        try {
            return C.pread(fd, buffer, count, offset);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public long pwrite(int fd, long buffer, long count, long offset) {
        try {
            return C.pwrite(fd, buffer, count, offset);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int ftruncate(int fd, long length) {
        try {
            return C.ftruncate(fd, length);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int fallocate(int fd, int mode, long offset, long length) {
        try {
            return C.fallocate(fd, mode, offset, length);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int statx(int directory, long path, int flags, int mask, long statx) {
        try {
            return C.statx(directory, path, flags, mask, statx);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int fstatfs(int fd, long statfs) {
        try {
            return C.fstatfs(fd, statfs);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int open(long path, int flags, int mode) {
        try {
            return C.open(path, flags, mode);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public long readlinkat(int directory, long path, long buffer, long size) {
        try {
            return C.readlinkat(directory, path, buffer, size);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int close(int fd) {
        try {
            return C.close(fd);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int fchmod(int fd, int mode) {
        try {
            return C.fchmod(fd, mode);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        try {
            return C.socket(domain, type, protocol);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int bind(int fd, long address, int length) {
        try {
            return C.bind(fd, address, length);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int listen(int fd, int backlog) {
        try {
            return C.listen(fd, backlog);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int accept4(int fd, long address, long length, int flags) {
        try {
            return C.accept4(fd, address, length, flags);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int connect(int fd, long address, int length) {
        try {
            return C.connect(fd, address, length);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int shutdown(int fd, int how) {
        try {
            return C.shutdown(fd, how);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int getsockopt(int fd, int level, int option, long value, long length) {
        try {
            return C.getsockopt(fd, level, option, value, length);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int setsockopt(int fd, int level, int option, long value, int length) {
        try {
            return C.setsockopt(fd, level, option, value, length);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public long sendmsg(int fd, long message, int flags) {
        try {
            return C.sendmsg(fd, message, flags);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public long recvmsg(int fd, long message, int flags) {
        try {
            return C.recvmsg(fd, message, flags);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int poll(long fds, long count, int timeoutMillis) {
        try {
            return C.poll(fds, count, timeoutMillis);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int eventfd(int initialValue, int flags) {
        try {
            return C.eventfd(initialValue, flags);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int eventfdWrite(int fd, long value) {
        try {
            return C.eventfd_write(fd, value);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public int geteuid() {
        return C.geteuid();
    }

    private static boolean hasSymbol(String name) {
        try {
            LIBC.getFunction(name);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** The C library's functions under their own names: direct mapping binds each method to its symbol. */
    private static final class C {
        static {
            Native.register(C.class, LIBC);
        }

        static native int fcntl(int fd, int command, int argument) throws LastErrorException;

        static native long pread(int fd, long buffer, long count, long offset) throws LastErrorException;

        static native long pwrite(int fd, long buffer, long count, long offset) throws LastErrorException;

        static native int ftruncate(int fd, long length) throws LastErrorException;

        static native int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

        static native int statx(int directory, long path, int flags, int mask, long statx) throws LastErrorException;

        static native int fstatfs(int fd, long statfs) throws LastErrorException;

        static native int open(long path, int flags, int mode) throws LastErrorException;

        static native long readlinkat(int directory, long path, long buffer, long size) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int fchmod(int fd, int mode) throws LastErrorException;

        static native int socket(int domain, int type, int protocol) throws LastErrorException;

        static native int bind(int fd, long address, int length) throws LastErrorException;

        static native int listen(int fd, int backlog) throws LastErrorException;

        static native int accept4(int fd, long address, long length, int flags) throws LastErrorException;

        static native int connect(int fd, long address, int length) throws LastErrorException;

        static native int shutdown(int fd, int how) throws LastErrorException;

        static native int getsockopt(int fd, int level, int option, long value, long length)
                throws LastErrorException;

        static native int setsockopt(int fd, int level, int option, long value, int length)
                throws LastErrorException;

        static native long sendmsg(int fd, long message, int flags) throws LastErrorException;

        static native long recvmsg(int fd, long message, int flags) throws LastErrorException;

        static native int poll(long fds, long count, int timeoutMillis) throws LastErrorException;

        static native int eventfd(int initialValue, int flags) throws LastErrorException;

        static native int eventfd_write(int fd, long value) throws LastErrorException;

        static native int geteuid();
    }

    /** {@code memfd_create}, registered apart and only where the C library exports it. */
    private static final class MemfdCreateSymbol {
        static {
            Native.register(MemfdCreateSymbol.class, LIBC);
        }

        static native int memfd_create(long name, int flags) throws LastErrorException;
    }

    /** {@code syscall(2)}, variadic, so through an interface mapping rather than direct mapping: a fallback only. */
    private static final class Syscall {
        private interface SyscallLibrary extends Library {
            long syscall(long number, Object... args) throws LastErrorException;
        }

        static final SyscallLibrary LIBRARY = Native.load(Platform.C_LIBRARY_NAME, SyscallLibrary.class);
    }
}
