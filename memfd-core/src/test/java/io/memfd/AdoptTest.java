package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.testing.OpenFds;
import io.memfd.testing.TestLibc;

/** Adopting a descriptor from elsewhere: only real memfds pass, and a rejected descriptor is closed. */
class AdoptTest {

    private static final int MFD_ALLOW_SEALING = 2;

    @Test
    void aMemfdFromElsewhereIsAdoptedWithItsNameAndContent() {
        int fd = TestLibc.memfd_create("foreign", MFD_ALLOW_SEALING);
        TestLibc.write(fd, new byte[] {1, 2, 3}, 3);
        OpenFds.Fd foreign = OpenFds.describe(fd).orElseThrow();
        try (MemFd memfd = MemFd.adopt(fd)) {
            assertThat(memfd.name()).isEqualTo("foreign");
            assertThat(memfd.rawFd()).isEqualTo(fd);
            assertThat(memfd.readAllBytes()).containsExactly(1, 2, 3);
        }
        assertThat(OpenFds.isOpen(foreign)).as("the adopted descriptor is still open").isFalse();
    }

    @Test
    void aNameWithSpacesAndParenthesesSurvives() {
        int fd = TestLibc.memfd_create("a (tricky) name", MFD_ALLOW_SEALING);
        try (MemFd memfd = MemFd.adopt(fd)) {
            assertThat(memfd.name()).isEqualTo("a (tricky) name");
        }
    }

    @Test
    void requiredSealsAreASubsetCheck() {
        int fd = TestLibc.memfd_create("sealed", MFD_ALLOW_SEALING);
        try (MemFd original = MemFd.adopt(fd)) {
            original.addSeal(Seal.EXEC);
            original.makeImmutable();
            // More seals than required (EXEC, which newer kernels add) must not break the check.
            try (MemFd adopted = MemFd.adopt(TestLibc.reopen(original, TestLibc.O_RDONLY),
                    EnumSet.of(Seal.SHRINK, Seal.WRITE))) {
                assertThat(adopted.hasSeals(Seal.SHRINK, Seal.WRITE)).isTrue();
            }
        }
    }

    @Test
    void theSizeOfAnAdoptedMemfdFollowsTheSenderUntilSealsFixIt() {
        try (MemFd sender = MemFd.create("growing")) {
            sender.resize(10);
            sender.addSeal(Seal.SHRINK);
            try (MemFd adopted = MemFd.adopt(TestLibc.reopen(sender, TestLibc.O_RDONLY),
                    EnumSet.of(Seal.SHRINK))) {
                assertThat(adopted.size()).isEqualTo(10);
                sender.resize(20);
                assertThat(adopted.size()).isEqualTo(20);
            }
            sender.addSeal(Seal.GROW);
            try (MemFd adopted = MemFd.adopt(TestLibc.reopen(sender, TestLibc.O_RDONLY));
                    MemFd duplicate = adopted.dup()) {
                assertThat(adopted.size()).isEqualTo(20);
                assertThat(duplicate.size()).isEqualTo(20);
                adopted.close();
                assertThatThrownBy(adopted::size).isInstanceOf(MemFdClosedException.class);
            }
        }
    }

    @Test
    void aSizeKeptForGoodIsOneReadAfterTheSealsThatFixIt() throws Exception {
        // The sender still holds the file: it may shrink it and then seal it against resizing while adopt checks it.
        // A size read before those seals and kept for good would be stale for good (a mapping of that size would run
        // past the end of the file). The race window is two system calls wide, so it is run many times over.
        AtomicInteger round = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger senderFd = new AtomicInteger();
        Thread sender = new Thread(() -> {
            for (int seen = 0;;) {
                int next = round.get();
                if (next != seen) {
                    seen = next;
                    if (next < 0) {
                        return;
                    }
                    // A random delay sweeps the moment of the sender's move across adopt's checks; then straight
                    // system calls, the fastest a sender can be, as the window is about a microsecond wide.
                    spin(ThreadLocalRandom.current().nextInt(8_000));
                    TestLibc.ftruncate(senderFd.get(), 4096);
                    TestLibc.fcntl(senderFd.get(), TestLibc.F_ADD_SEALS, TestLibc.F_SEAL_SHRINK | TestLibc.F_SEAL_GROW);
                    done.set(next);
                }
                Thread.onSpinWait();
            }
        });
        sender.start();
        int stale = 0;
        try {
            long end = System.nanoTime() + 2_000_000_000L;
            for (int i = 1; System.nanoTime() < end && stale == 0; i++) {
                try (MemFd original = MemFd.create("racing")) {
                    original.resize(1 << 20);
                    int fd = TestLibc.reopen(original, TestLibc.O_RDONLY);
                    senderFd.set(original.rawFd());
                    round.set(i);
                    try (MemFd adopted = MemFd.adopt(fd)) {
                        while (done.get() != i) {
                            Thread.onSpinWait();
                        }
                        // Sealed now, whenever adopt looked: its size can no longer change and must be the file's.
                        stale += adopted.size() == 4096 ? 0 : 1;
                    }
                }
            }
        } finally {
            round.set(-1);
            sender.join();
        }
        assertThat(stale).as("adopted memfds that report a size their file no longer has").isZero();
    }

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aMemfdMissingRequiredSealsIsRejectedAndClosed() {
        int fd = TestLibc.memfd_create("unsealed", MFD_ALLOW_SEALING);
        TestLibc.fchmod(fd, 0600);
        OpenFds.Fd unsealed = OpenFds.describe(fd).orElseThrow();
        assertThatThrownBy(() -> MemFd.adopt(fd, Set.of(Seal.SHRINK, Seal.GROW)))
                .isInstanceOfSatisfying(MissingSealsException.class, e -> {
                    assertThat(e.required()).containsExactlyInAnyOrder(Seal.SHRINK, Seal.GROW);
                    assertThat(e.present()).isEmpty();
                })
                .hasMessage("memfd 'unsealed' (fd " + fd + "): adopt failed: it must carry the seals [SHRINK, GROW]"
                        + " but carries [], missing [SHRINK, GROW]");
        assertThat(OpenFds.isOpen(unsealed)).as("the rejected descriptor is still open").isFalse();
    }

    @Test
    void aDevShmFileIsNotAMemfdThoughItCarriesSeals() throws Exception {
        Path shm = Path.of("/dev/shm/memfd-adopt-test-" + ProcessHandle.current().pid());
        int fd = TestLibc.open(shm.toString(), TestLibc.O_RDWR | TestLibc.O_CREAT, 0600);
        try {
            assertRejected(fd, "a POSIX shared memory file (" + shm + ")");
        } finally {
            Files.deleteIfExists(shm);
        }
    }

    @Test
    void aRegularFileIsNotAMemfd(@TempDir Path directory) throws Exception {
        Path file = Files.writeString(directory.resolve("regular"), "x");
        assertRejected(TestLibc.open(file.toString(), TestLibc.O_RDONLY, 0), "the file " + file);
    }

    @Test
    void aDirectoryIsNotAMemfd(@TempDir Path directory) throws Exception {
        assertRejected(TestLibc.open(directory.toString(), TestLibc.O_RDONLY | TestLibc.O_DIRECTORY, 0),
                "the file " + directory);
    }

    @Test
    void aPipeIsNotAMemfd() throws Exception {
        int[] pipe = new int[2];
        TestLibc.pipe(pipe);
        TestLibc.close(pipe[1]);
        assertRejected(pipe[0], "a pipe");
    }

    @Test
    void aSocketIsNotAMemfd() throws Exception {
        int[] pair = new int[2];
        TestLibc.socketpair(TestLibc.AF_UNIX, TestLibc.SOCK_STREAM, 0, pair);
        TestLibc.close(pair[1]);
        assertRejected(pair[0], "a socket");
    }

    @Test
    void aNumberThatIsNotOpenIsRejectedWithoutClosingAnything() {
        assertThatThrownBy(() -> MemFd.adopt(987_654))
                .isInstanceOf(NotMemFdException.class)
                .hasMessage("descriptor (fd 987654): adopt failed: no descriptor with this number is open");
    }

    @Test
    void aFileWhoseLinkCannotBeReadIsRejectedAndClosed(@TempDir Path directory) {
        // A path longer than PATH_MAX (4096) makes the /proc/self/fd link unreadable (ENAMETOOLONG), though the
        // descriptor is open: adopt owns it from then on and must close it. Only *at calls can build such a path.
        String level = "d".repeat(200);
        int levels = 25;
        int[] directories = new int[levels + 1];
        directories[0] = TestLibc.open(directory.toString(), TestLibc.O_RDONLY | TestLibc.O_DIRECTORY, 0);
        for (int i = 1; i <= levels; i++) {
            TestLibc.mkdirat(directories[i - 1], level, 0700);
            directories[i] = TestLibc.openat(directories[i - 1], level, TestLibc.O_RDONLY | TestLibc.O_DIRECTORY, 0);
        }
        try {
            int fd = TestLibc.openat(directories[levels], "deep", TestLibc.O_RDWR | TestLibc.O_CREAT, 0600);
            OpenFds.Fd deep = OpenFds.describe(fd).orElseThrow();
            Throwable thrown = catchThrowable(() -> MemFd.adopt(fd));
            boolean leftOpen = OpenFds.isOpen(deep);
            if (leftOpen) {
                // Not left open for the tests that follow.
                TestLibc.close(fd);
            }
            assertThat(thrown)
                    .isInstanceOf(NotMemFdException.class)
                    .hasMessage("descriptor (fd " + fd + "): adopt failed: its /proc/self/fd link cannot be read,"
                            + " so it is not a memfd");
            assertThat(leftOpen).as("the rejected descriptor was closed").isFalse();
        } finally {
            TestLibc.unlinkat(directories[levels], "deep", 0);
            for (int i = levels; i >= 1; i--) {
                TestLibc.close(directories[i]);
                TestLibc.unlinkat(directories[i - 1], level, TestLibc.AT_REMOVEDIR);
            }
            TestLibc.close(directories[0]);
        }
    }

    /**
     * Adopting {@code fd} fails, and leaves open neither it nor anything else: compared descriptor by descriptor, so
     * that whatever else in the JVM closes meanwhile does not count.
     */
    private static void assertRejected(int fd, String whatItIs) throws InterruptedException {
        Set<OpenFds.Fd> before = OpenFds.snapshot();
        OpenFds.Fd rejected = OpenFds.describe(fd).orElseThrow();
        assertThatThrownBy(() -> MemFd.adopt(fd))
                .isInstanceOf(NotMemFdException.class)
                .hasMessage("descriptor (fd " + fd + "): adopt failed: it is " + whatItIs + ", not a memfd");
        assertThat(OpenFds.isOpen(rejected)).as("the rejected descriptor %s is still open", rejected).isFalse();
        OpenFds.assertNoneOpenedSince(before);
    }
}
