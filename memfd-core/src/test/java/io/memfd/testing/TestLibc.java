package io.memfd.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import io.memfd.MemFd;

/**
 * System calls that tests need to build situations the library itself never creates: foreign descriptors (pipes,
 * sockets, /dev/shm files, directories), raw mappings and protection changes. Test code only.
 */
public final class TestLibc {

    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0x40;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_CLOEXEC = 0x80000;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int MFD_ALLOW_SEALING = 2;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_SEAL_SHRINK = 2;
    public static final int F_SEAL_GROW = 4;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOL_SOCKET = 1;
    public static final int SO_PASSCRED = 16;

    static {
        Native.register(TestLibc.class, Platform.C_LIBRARY_NAME);
    }

    private TestLibc() {
    }

    public static native int open(String path, int flags, int mode) throws LastErrorException;

    /**
     * A memfd as another process would send it: made outside this library, named as it likes, holding {@code content}
     * and sealed against shrinking and growing.
     */
    public static int peerMemfd(String name, byte[] content) {
        int fd = memfd_create(name, MFD_ALLOW_SEALING);
        write(fd, content, content.length);
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
        return fd;
    }

    /** A new descriptor, with these flags, for the file {@code memfd} refers to: another open of its /proc path. */
    public static int reopen(MemFd memfd, int flags) {
        return memfd.withProcPath(path -> open(path.toString(), flags, 0));
    }

    public static native int close(int fd) throws LastErrorException;

    public static native int openat(int directory, String path, int flags, int mode) throws LastErrorException;

    public static native int mkdirat(int directory, String path, int mode) throws LastErrorException;

    public static native int unlinkat(int directory, String path, int flags) throws LastErrorException;

    public static native int pipe(int[] fds) throws LastErrorException;

    public static native int socketpair(int domain, int type, int protocol, int[] fds) throws LastErrorException;

    public static native int memfd_create(String name, int flags) throws LastErrorException;

    /** {@code readlink(2)}: the link's bytes as the kernel has them, whatever the JVM's file name encoding. */
    public static native long readlink(String path, byte[] buffer, long size) throws LastErrorException;

    public static native long write(int fd, byte[] buffer, long count) throws LastErrorException;

    public static native int fchmod(int fd, int mode) throws LastErrorException;

    public static native int ftruncate(int fd, long length) throws LastErrorException;

    public static native int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    public static native int fcntl(int fd, int command, int argument) throws LastErrorException;

    public static native Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset)
            throws LastErrorException;

    public static native int mprotect(Pointer address, long length, int protection) throws LastErrorException;

    public static native int munmap(Pointer address, long length) throws LastErrorException;

    public static native int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

    public static native int setsockopt(int fd, int level, int name, int[] value, int length) throws LastErrorException;

    public static native long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

    public static native int getpid();

    /** This process's effective user id, as a peer's {@code SO_PEERCRED} shows it. */
    public static long effectiveUid() {
        return Integer.toUnsignedLong(geteuid());
    }

    private static native int geteuid();

    /** The inode of the file descriptor {@code fd} refers to: equal in every process that holds the same file. */
    public static long inode(int fd) {
        try {
            return (Long) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:ino");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends signal {@code signal} to thread {@code tid} of process {@code pid}. */
    public static native int tgkill(int pid, int tid, int signal) throws LastErrorException;

    /** Installs {@code handler} for {@code signal} (glibc: BSD semantics, so with {@code SA_RESTART}). */
    public static native Pointer signal(int signal, Pointer handler);
}
