package io.memfd.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import io.memfd.testing.TestLibc;

/**
 * Both {@link NativeCalls} implementations against the real kernel, call by call: the FFM one where this JVM has it
 * (Java 22+, where {@code NativeBackendTest} checks that it does), JNA always. Results and errno values are the
 * kernel's own, in the seam's convention ({@code -errno} on failure).
 */
class NativeCallsTest {

    private static final int MFD_CLOEXEC = 0x1;
    private static final int MFD_ALLOW_SEALING = 0x2;
    private static final int F_GETFD = 1;
    private static final int FD_CLOEXEC = 1;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_GET_SEALS = 1034;
    private static final int F_SEAL_SEAL = 0x1;
    private static final int F_SEAL_SHRINK = 0x2;
    private static final int F_SEAL_GROW = 0x4;
    private static final int F_SEAL_WRITE = 0x8;
    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE_INO_SIZE = 0x1 | 0x100 | 0x200;
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0x10000;
    private static final int O_CLOEXEC = 0x80000;
    private static final long TMPFS_MAGIC = 0x01021994L;
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final int SO_RCVTIMEO = 20;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int SHUT_RDWR = 2;
    private static final short POLLIN = 0x1;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    /** Ignored by default and unused by the JVM: with a handler, it interrupts a blocked call and does nothing else. */
    private static final int SIGURG = 23;
    private static final int SMALL = 4096;
    private static final int RLIMIT_NOFILE = 7;

    @TempDir
    Path directory;

    private final List<Runnable> cleanUp = new ArrayList<>();

    static Stream<NativeCalls> backends() {
        return Stream.concat(Stream.of(NativeBackend.jna()), NativeBackend.ffm().stream());
    }

    @AfterEach
    void closeAll() {
        cleanUp.forEach(Runnable::run);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aMemfdIsCreatedWrittenSealedAndReadBack(NativeCalls calls) {
        Scratch scratch = new Scratch(calls);
        int fd = memfd(calls, scratch, "seam");
        int data = scratch.alloc(SMALL);
        for (int i = 0; i < SMALL; i++) {
            scratch.buffer.put(data + i, (byte) i);
        }

        assertThat(calls.pwrite(fd, scratch.address(data), SMALL, 0)).isEqualTo(SMALL);
        assertThat(calls.ftruncate(fd, 3 * SMALL)).isZero();
        assertThat(calls.fallocate(fd, 0, 0, 2 * SMALL)).isZero();
        assertThat(calls.fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)).isZero();

        assertThat(calls.fcntl(fd, F_GET_SEALS, 0)).isEqualTo(F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
        assertThat(calls.fcntl(fd, F_GETFD, 0)).isEqualTo(FD_CLOEXEC);
        assertThat(statxSize(calls, scratch, fd)).isEqualTo(3 * SMALL);
        assertThat(link(calls, scratch, AT_FDCWD, "/proc/self/fd/" + fd)).isEqualTo("/memfd:seam (deleted)");
        int statfs = scratch.alloc(120);
        assertThat(calls.fstatfs(fd, scratch.address(statfs))).isZero();
        assertThat(scratch.buffer.getLong(statfs)).as("f_type").isEqualTo(TMPFS_MAGIC);
        int readBack = scratch.alloc(SMALL);
        assertThat(calls.pread(fd, scratch.address(readBack), SMALL, 0)).isEqualTo(SMALL);
        assertThat(scratch.bytes(readBack, SMALL)).isEqualTo(scratch.bytes(data, SMALL));
        assertThat(calls.pread(fd, scratch.address(readBack), SMALL, 3 * SMALL)).as("at the end").isZero();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sealsAndClosedDescriptorsFailWithTheKernelsErrno(NativeCalls calls) {
        Scratch scratch = new Scratch(calls);
        int fd = memfd(calls, scratch, "sealed");
        int data = scratch.alloc(SMALL);
        assertThat(calls.fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)).isZero();

        assertThat(calls.pwrite(fd, scratch.address(data), SMALL, 0)).isEqualTo(-Errno.EPERM.code());
        assertThat(calls.ftruncate(fd, SMALL)).isEqualTo(-Errno.EPERM.code());
        assertThat(calls.fallocate(fd, 0, 0, SMALL)).isEqualTo(-Errno.EPERM.code());
        assertThat(calls.fcntl(-1, F_GET_SEALS, 0)).isEqualTo(-Errno.EBADF.code());
        assertThat(calls.pread(-1, scratch.address(data), SMALL, 0)).isEqualTo(-Errno.EBADF.code());
        int closed = memfd(calls, scratch, "closed twice");
        assertThat(calls.close(closed)).isZero();
        assertThat(calls.close(closed)).isEqualTo(-Errno.EBADF.code());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void memfdCreateThroughTheSymbolAndTheRawSystemCallAlike(NativeCalls calls) {
        Scratch scratch = new Scratch(calls);
        long name = scratch.address(scratch.string("raw"));
        assertThat(calls.hasMemfdCreateSymbol()).as("glibc 2.27+ has memfd_create").isTrue();

        int fd = owned(calls, calls.memfdCreateSyscall(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
        assertThat(link(calls, scratch, AT_FDCWD, "/proc/self/fd/" + fd)).isEqualTo("/memfd:raw (deleted)");
        assertThat(calls.fcntl(fd, F_GET_SEALS, 0)).isZero();

        assertThat(calls.memfdCreate(name, 0x4000)).as("an unknown flag").isEqualTo(-Errno.EINVAL.code());
        assertThat(calls.memfdCreateSyscall(name, 0x4000)).as("an unknown flag").isEqualTo(-Errno.EINVAL.code());
        long tooLong = scratch.address(scratch.string("n".repeat(250)));
        assertThat(calls.memfdCreate(tooLong, MFD_CLOEXEC)).isEqualTo(-Errno.EINVAL.code());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void pathsAreOpenedAndLinksReadThroughADirectory(NativeCalls calls) {
        Scratch scratch = new Scratch(calls);
        int procFd = owned(calls, calls.open(scratch.address(scratch.string("/proc/self/fd")),
                O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
        int fd = memfd(calls, scratch, "through the directory");

        assertThat(link(calls, scratch, procFd, Integer.toString(fd)))
                .isEqualTo("/memfd:through the directory (deleted)");
        assertThat(calls.fcntl(procFd, F_GET_SEALS, 0)).as("a directory has no seals").isEqualTo(-Errno.EINVAL.code());
        int missing = scratch.string(directory.resolve("missing").toString());
        assertThat(calls.open(scratch.address(missing), O_RDONLY | O_CLOEXEC, 0)).isEqualTo(-Errno.ENOENT.code());
        int target = scratch.alloc(64);
        assertThat(calls.readlinkat(procFd, scratch.address(scratch.string("99999")), scratch.address(target), 64))
                .isEqualTo(-Errno.ENOENT.code());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSealedMemfdCrossesAUnixSocketWithScmRights(NativeCalls calls) throws Exception {
        Scratch scratch = new Scratch(calls);
        Path path = directory.resolve(calls.name() + ".sock");
        int address = sockaddr(scratch, path);
        int server = owned(calls, calls.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
        assertThat(calls.fchmod(server, 0600)).isZero();
        assertThat(calls.bind(server, scratch.address(address), 110)).isZero();
        assertThat(calls.bind(owned(calls, calls.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)),
                scratch.address(address), 110)).as("the path is taken").isEqualTo(-Errno.EADDRINUSE.code());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        assertThat(calls.listen(server, 4)).isZero();
        int client = owned(calls, calls.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
        assertThat(calls.connect(client, scratch.address(address), 110)).isZero();
        int accepted = owned(calls, calls.accept4(server, 0, 0, SOCK_CLOEXEC));

        int ucred = scratch.alloc(12);
        int length = scratch.alloc(4);
        scratch.buffer.putInt(length, 12);
        assertThat(calls.getsockopt(accepted, SOL_SOCKET, SO_PEERCRED, scratch.address(ucred), scratch.address(length)))
                .isZero();
        assertThat(scratch.buffer.getInt(ucred)).as("peer pid").isEqualTo((int) ProcessHandle.current().pid());
        assertThat(scratch.buffer.getInt(ucred + 4)).as("peer uid").isEqualTo(calls.geteuid());

        int memfd = memfd(calls, scratch, "handed over");
        assertThat(calls.fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW)).isZero();
        int sent = scratch.alloc(Message.BYTES);
        Message.prepare(scratch, sent, "hello".getBytes(UTF_8), memfd);
        assertThat(calls.sendmsg(client, scratch.address(sent), MSG_DONTWAIT)).isEqualTo(5);

        int pollfd = scratch.alloc(8);
        scratch.buffer.putInt(pollfd, accepted).putShort(pollfd + 4, POLLIN);
        assertThat(calls.poll(scratch.address(pollfd), 1, 5_000)).isEqualTo(1);
        assertThat(scratch.buffer.getShort(pollfd + 6) & POLLIN).isEqualTo(POLLIN);
        int received = scratch.alloc(Message.BYTES);
        Message.prepare(scratch, received, new byte[16], -1);
        assertThat(calls.recvmsg(accepted, scratch.address(received), MSG_CMSG_CLOEXEC)).isEqualTo(5);

        assertThat(scratch.bytes(received + Message.PAYLOAD, 5)).isEqualTo("hello".getBytes(UTF_8));
        int fd = owned(calls, Message.receivedFd(scratch, received));
        assertThat(fd).isNotEqualTo(memfd);
        assertThat(statxInode(calls, scratch, fd)).isEqualTo(statxInode(calls, scratch, memfd));
        assertThat(calls.fcntl(fd, F_GET_SEALS, 0)).isEqualTo(F_SEAL_SHRINK | F_SEAL_GROW);
        assertThat(calls.fcntl(fd, F_GETFD, 0)).as("MSG_CMSG_CLOEXEC").isEqualTo(FD_CLOEXEC);

        Message.prepare(scratch, received, new byte[16], -1);
        assertThat(calls.recvmsg(accepted, scratch.address(received), MSG_DONTWAIT)).isEqualTo(-Errno.EAGAIN.code());
        assertThat(calls.shutdown(client, SHUT_RDWR)).isZero();
        assertThat(calls.recvmsg(accepted, scratch.address(received), 0)).as("the end of the stream").isZero();
        int nobody = sockaddr(scratch, directory.resolve("nobody.sock"));
        assertThat(calls.connect(owned(calls, calls.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)),
                scratch.address(nobody), 110)).isEqualTo(-Errno.ENOENT.code());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aReceiveTimeoutEndsABlockingReceiveWithEagain(NativeCalls calls) {
        Scratch scratch = new Scratch(calls);
        int[] pair = connectedPair(calls, scratch);
        int timeval = scratch.alloc(16);
        scratch.buffer.putLong(timeval, 0).putLong(timeval + 8, 50_000);
        assertThat(calls.setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, scratch.address(timeval), 16)).isZero();
        int received = scratch.alloc(Message.BYTES);
        Message.prepare(scratch, received, new byte[16], -1);

        assertThat(calls.recvmsg(pair[1], scratch.address(received), 0)).isEqualTo(-Errno.EAGAIN.code());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSignalEndsAWaitingPollWithEintrAndAnEventfdEndsItReady(NativeCalls calls) throws Exception {
        TestLibc.signal(SIGURG, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("getpid"));
        Scratch scratch = new Scratch(calls);
        int wakeUp = owned(calls, calls.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        int pollfd = scratch.alloc(8);
        scratch.buffer.putInt(pollfd, wakeUp).putShort(pollfd + 4, POLLIN);

        assertThat(pollInAnotherThreadUntilSignalled(calls, scratch.address(pollfd))).isEqualTo(-Errno.EINTR.code());
        assertThat(calls.eventfdWrite(wakeUp, 1)).isZero();
        assertThat(calls.poll(scratch.address(pollfd), 1, 5_000)).isEqualTo(1);
        assertThat(calls.poll(scratch.address(pollfd), 1, 0)).as("it stays readable").isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void modesPageSizeAndDescriptorLimitAreTheKernels(NativeCalls calls) throws Exception {
        Scratch scratch = new Scratch(calls);
        Path file = Files.createFile(directory.resolve("mode-" + calls.name()));
        long path = scratch.address(scratch.string(file.toString()));

        assertThat(calls.chmod(path, 0640)).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(calls.chmod(scratch.address(scratch.string(directory.resolve("missing").toString())), 0600))
                .isEqualTo(-Errno.ENOENT.code());
        assertThat(calls.getpagesize()).isEqualTo(Integer.parseInt(getconf("PAGESIZE")));
        int limits = scratch.alloc(16);
        assertThat(calls.getrlimit(RLIMIT_NOFILE, scratch.address(limits))).isZero();
        long soft = scratch.buffer.getLong(limits);
        long hard = scratch.buffer.getLong(limits + 8);
        assertThat(soft).isEqualTo(softOpenFileLimit()).isPositive();
        assertThat(Long.compareUnsigned(soft, hard)).isLessThanOrEqualTo(0);
        assertThat(calls.getrlimit(-1, scratch.address(limits))).isEqualTo(-Errno.EINVAL.code());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void anAddressIsTheBuffersPosition(NativeCalls calls) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64);
        long start = calls.address(buffer);

        assertThat(calls.address(buffer.position(24))).isEqualTo(start + 24);
        assertThat(calls.address(buffer.slice())).isEqualTo(start + 24);
        assertThat(start).isEqualTo(NativeBackend.jna().address(buffer.position(0)));
    }

    /**
     * Polls (no time limit) in a new thread and signals that thread until the poll returns: a signal that comes
     * before the thread blocks is handled and lost, and the next one interrupts the wait.
     */
    private static int pollInAnotherThreadUntilSignalled(NativeCalls calls, long pollfd) throws Exception {
        AtomicInteger tid = new AtomicInteger();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread poller = new Thread(() -> {
            try {
                // "PID/task/TID"
                tid.set(Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName()
                        .toString()));
                result.complete(calls.poll(pollfd, 1, -1));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        poller.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!result.isDone() && System.nanoTime() < deadline) {
            if (tid.get() != 0) {
                TestLibc.tgkill(TestLibc.getpid(), tid.get(), SIGURG);
            }
            try {
                result.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // not interrupted yet
            }
        }
        poller.join(5_000);
        return result.getNow(Integer.MIN_VALUE);
    }

    /** "Max open files  SOFT  HARD  files" in /proc/self/limits. */
    private static long softOpenFileLimit() throws Exception {
        String line = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
        return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
    }

    private static String getconf(String name) throws Exception {
        Process getconf = new ProcessBuilder("getconf", name).start();
        String value = new String(getconf.getInputStream().readAllBytes(), UTF_8).trim();
        assertThat(getconf.waitFor()).isZero();
        return value;
    }

    private int memfd(NativeCalls calls, Scratch scratch, String name) {
        return owned(calls, calls.memfdCreate(scratch.address(scratch.string(name)), MFD_CLOEXEC | MFD_ALLOW_SEALING));
    }

    private int[] connectedPair(NativeCalls calls, Scratch scratch) {
        int address = sockaddr(scratch, directory.resolve("pair-" + calls.name() + ".sock"));
        int server = owned(calls, calls.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
        assertThat(calls.bind(server, scratch.address(address), 110)).isZero();
        assertThat(calls.listen(server, 1)).isZero();
        int client = owned(calls, calls.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
        assertThat(calls.connect(client, scratch.address(address), 110)).isZero();
        return new int[] {client, owned(calls, calls.accept4(server, 0, 0, SOCK_CLOEXEC))};
    }

    /** Checks that a call returned a descriptor, and closes it after the test. */
    private int owned(NativeCalls calls, int fd) {
        assertThat(fd).as("a descriptor, not -errno").isNotNegative();
        cleanUp.add(() -> calls.close(fd));
        return fd;
    }

    private static long statxSize(NativeCalls calls, Scratch scratch, int fd) {
        return statx(calls, scratch, fd).getLong(40);
    }

    private static long statxInode(NativeCalls calls, Scratch scratch, int fd) {
        return statx(calls, scratch, fd).getLong(32);
    }

    private static ByteBuffer statx(NativeCalls calls, Scratch scratch, int fd) {
        int empty = scratch.string("");
        int statx = scratch.alloc(256);
        assertThat(calls.statx(fd, scratch.address(empty), AT_EMPTY_PATH, STATX_TYPE_INO_SIZE, scratch.address(statx)))
                .isZero();
        return scratch.buffer.slice(statx, 256).order(ByteOrder.nativeOrder());
    }

    private static String link(NativeCalls calls, Scratch scratch, int directory, String path) {
        int target = scratch.alloc(512);
        long length = calls.readlinkat(directory, scratch.address(scratch.string(path)), scratch.address(target), 512);
        assertThat(length).as("the link's length, not -errno").isNotNegative();
        return new String(scratch.bytes(target, (int) length), UTF_8);
    }

    /** {@code struct sockaddr_un} for {@code path}. */
    private static int sockaddr(Scratch scratch, Path path) {
        int at = scratch.alloc(110);
        byte[] bytes = path.toString().getBytes(UTF_8);
        scratch.buffer.putShort(at, (short) AF_UNIX).put(at + 2, bytes);
        return at;
    }

    /**
     * One {@code struct msghdr} with its {@code iovec}, room for one {@code SCM_RIGHTS} descriptor and a payload,
     * laid out as on 64-bit Linux.
     */
    private static final class Message {
        static final int IOVEC = 56;
        static final int CONTROL = 72;
        static final int CONTROL_BYTES = 24;
        static final int PAYLOAD = CONTROL + CONTROL_BYTES;
        static final int BYTES = PAYLOAD + 16;

        static void prepare(Scratch scratch, int at, byte[] payload, int fd) {
            ByteBuffer b = scratch.buffer;
            for (int i = 0; i < BYTES; i++) {
                b.put(at + i, (byte) 0);
            }
            b.put(at + PAYLOAD, payload);
            b.putLong(at + 16, scratch.address(at + IOVEC)).putLong(at + 24, 1);
            b.putLong(at + 32, scratch.address(at + CONTROL)).putLong(at + 40, CONTROL_BYTES);
            b.putLong(at + IOVEC, scratch.address(at + PAYLOAD)).putLong(at + IOVEC + 8, payload.length);
            if (fd >= 0) {
                b.putLong(at + CONTROL, 20).putInt(at + CONTROL + 8, SOL_SOCKET).putInt(at + CONTROL + 12, SCM_RIGHTS)
                        .putInt(at + CONTROL + 16, fd);
            }
        }

        static int receivedFd(Scratch scratch, int at) {
            ByteBuffer b = scratch.buffer;
            assertThat(b.getLong(at + 40)).as("msg_controllen: CMSG_SPACE(4)").isEqualTo(CONTROL_BYTES);
            assertThat(b.getLong(at + CONTROL)).as("cmsg_len: CMSG_LEN(4)").isEqualTo(20);
            assertThat(b.getInt(at + CONTROL + 8)).isEqualTo(SOL_SOCKET);
            assertThat(b.getInt(at + CONTROL + 12)).isEqualTo(SCM_RIGHTS);
            return b.getInt(at + CONTROL + 16);
        }
    }

    /** Native memory for one test: a direct buffer handed out in 16-byte-aligned pieces. */
    private static final class Scratch {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
        final long base;
        private int next;

        Scratch(NativeCalls calls) {
            base = calls.address(buffer);
        }

        int alloc(int bytes) {
            int at = next;
            next = (next + bytes + 15) & ~15;
            return at;
        }

        long address(int offset) {
            return base + offset;
        }

        /** The string as NUL-terminated UTF-8. */
        int string(String value) {
            byte[] bytes = value.getBytes(UTF_8);
            int at = alloc(bytes.length + 1);
            buffer.put(at, bytes).put(at + bytes.length, (byte) 0);
            return at;
        }

        byte[] bytes(int offset, int length) {
            byte[] bytes = new byte[length];
            buffer.get(offset, bytes);
            return bytes;
        }
    }
}
