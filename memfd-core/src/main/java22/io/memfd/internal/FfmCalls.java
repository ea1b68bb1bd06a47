package io.memfd.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;

/**
 * {@link NativeCalls} through the Foreign Function &amp; Memory API (Java 22+): a downcall handle per C function,
 * made once and kept in a static final field, so that the JIT compiles each call to a direct native call. Only in
 * the jar's {@code META-INF/versions/22}; {@link NativeBackend} loads it by name.
 *
 * <p>errno: a handle made with {@code captureCallState("errno")} copies errno, right after the call, into a segment
 * passed as its first argument; the JVM itself may change errno before Java code could read it. That segment is
 * per thread (four bytes, allocated at a thread's first call and freed with the thread): per-call allocation in a
 * confined arena costs more than the call (measured in {@code ErrnoCaptureBenchmark}).
 *
 * <p>Pointers are passed as {@code JAVA_LONG}: on every 64-bit Linux ABI a pointer argument travels exactly as a
 * 64-bit integer does, and an address as a plain {@code long} needs no {@code MemorySegment} per call.
 * {@code geteuid} and {@code getpagesize} are critical functions (no thread-state transition): they cannot block or
 * fail.
 */
final class FfmCalls implements NativeCalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> THREAD_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));

    private static final MethodHandle MEMFD_CREATE = LIBC.find("memfd_create")
            .map(symbol -> LINKER.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO))
            .orElse(null);
    private static final MethodHandle SYSCALL_2 = errno("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle FCNTL = errno("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PREAD = errno("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITE = errno("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FTRUNCATE = errno("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle FALLOCATE = errno("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle STATX = errno("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle FSTATFS = errno("fstatfs",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle OPEN = errno("open",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CHMOD = errno("chmod", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READLINKAT = errno("readlinkat",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle CLOSE = errno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHMOD = errno("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKET = errno("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = errno("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LISTEN = errno("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = errno("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CONNECT = errno("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SHUTDOWN = errno("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = errno("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SETSOCKOPT = errno("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDMSG = errno("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVMSG = errno("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle POLL = errno("poll",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EVENTFD = errno("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD_WRITE = errno("eventfd_write",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle GETRLIMIT = errno("getrlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(symbol("geteuid"),
            FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle GETPAGESIZE = LINKER.downcallHandle(symbol("getpagesize"),
            FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public long address(ByteBuffer direct) {
        return MemorySegment.ofBuffer(direct).address();
    }

    @Override
    public boolean hasMemfdCreateSymbol() {
        return MEMFD_CREATE != null;
    }

    @Override
    public int memfdCreate(long name, int flags) {
        if (MEMFD_CREATE == null) {
            return memfdCreateSyscall(name, flags);
        }
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) MEMFD_CREATE.invokeExact(state, name, flags), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int memfdCreateSyscall(long name, int flags) {
        long number = NativeBackend.memfdCreateSyscallNumber();
        if (number < 0) {
            return -Errno.ENOSYS.code();
        }
        MemorySegment state = THREAD_STATE.get();
        try {
            return (int) result((long) SYSCALL_2.invokeExact(state, number, name, flags), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int fcntl(int fd, int command, int argument) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) FCNTL.invokeExact(state, fd, command, argument), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public long pread(int fd, long buffer, long count, long offset) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((long) PREAD.invokeExact(state, fd, buffer, count, offset), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public long pwrite(int fd, long buffer, long count, long offset) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((long) PWRITE.invokeExact(state, fd, buffer, count, offset), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int ftruncate(int fd, long length) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) FTRUNCATE.invokeExact(state, fd, length), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int fallocate(int fd, int mode, long offset, long length) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) FALLOCATE.invokeExact(state, fd, mode, offset, length), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int statx(int directory, long path, int flags, int mask, long statx) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) STATX.invokeExact(state, directory, path, flags, mask, statx), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int fstatfs(int fd, long statfs) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) FSTATFS.invokeExact(state, fd, statfs), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int open(long path, int flags, int mode) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) OPEN.invokeExact(state, path, flags, mode), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int chmod(long path, int mode) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) CHMOD.invokeExact(state, path, mode), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public long readlinkat(int directory, long path, long buffer, long size) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((long) READLINKAT.invokeExact(state, directory, path, buffer, size), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int close(int fd) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) CLOSE.invokeExact(state, fd), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int fchmod(int fd, int mode) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) FCHMOD.invokeExact(state, fd, mode), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) SOCKET.invokeExact(state, domain, type, protocol), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int bind(int fd, long address, int length) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) BIND.invokeExact(state, fd, address, length), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int listen(int fd, int backlog) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) LISTEN.invokeExact(state, fd, backlog), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int accept4(int fd, long address, long length, int flags) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) ACCEPT4.invokeExact(state, fd, address, length, flags), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int connect(int fd, long address, int length) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) CONNECT.invokeExact(state, fd, address, length), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int shutdown(int fd, int how) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) SHUTDOWN.invokeExact(state, fd, how), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int getsockopt(int fd, int level, int option, long value, long length) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) GETSOCKOPT.invokeExact(state, fd, level, option, value, length), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int setsockopt(int fd, int level, int option, long value, int length) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) SETSOCKOPT.invokeExact(state, fd, level, option, value, length), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public long sendmsg(int fd, long message, int flags) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((long) SENDMSG.invokeExact(state, fd, message, flags), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public long recvmsg(int fd, long message, int flags) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((long) RECVMSG.invokeExact(state, fd, message, flags), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int poll(long fds, long count, int timeoutMillis) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) POLL.invokeExact(state, fds, count, timeoutMillis), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int eventfd(int initialValue, int flags) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) EVENTFD.invokeExact(state, initialValue, flags), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int eventfdWrite(int fd, long value) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) EVENTFD_WRITE.invokeExact(state, fd, value), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int getpagesize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int getrlimit(int resource, long limits) {
        MemorySegment state = THREAD_STATE.get();
        try {
            return result((int) GETRLIMIT.invokeExact(state, resource, limits), state);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** A handle for {@code name} that captures errno, with any further options. */
    private static MethodHandle errno(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(symbol(name), descriptor, all);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("the C library has no " + name));
    }

    /** A C function's result in the {@link NativeCalls} convention: itself, or {@code -errno} where it is -1. */
    private static int result(int value, MemorySegment state) {
        return value < 0 ? -state.get(JAVA_INT, ERRNO_OFFSET) : value;
    }

    private static long result(long value, MemorySegment state) {
        return value < 0 ? -state.get(JAVA_INT, ERRNO_OFFSET) : value;
    }

    /** A downcall throws only what the JVM does (an error), never for the C function's failure. */
    private static RuntimeException unexpected(Throwable e) {
        if (e instanceof Error error) {
            throw error;
        }
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        return new IllegalStateException(e);
    }
}
