package io.memfd;

import static io.memfd.testing.Io.unchecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.memfd.testing.ChildJvm;
import io.memfd.testing.Gc;
import io.memfd.testing.TestLibc;

/**
 * No SIGBUS through the public API: a memfd is mapped only when it is sealed against shrinking, or when this process
 * created it and never handed it out, so that no other process can shrink it under the mapping. Each case runs in a
 * child JVM in which another process ({@code truncate(1)}) really truncates the file and the child then reads its
 * mapping with {@link CRC32} (an intrinsic: a SIGBUS there kills the JVM, exit 134). The child must survive.
 */
class MappingSafetyTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path directory;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // scenario,            what the library refused,             whether a peer truncated (none: not handed out)
        "adopted-unsealed,      MissingSealsException: memfd 'victim',           true",
        "duplicated-then-mapped, MissingSealsException: memfd 'victim',          true",
        "mapped-then-exported,  MissingSealsException: memfd 'victim',           ",
        "shrunk-by-owner,       MappingBusyException: memfd 'victim',            ",
        "adopted-shrink-sealed, ,                                                false",
    })
    void theChildSurvivesAPeerThatTruncates(String scenario, String refused, String peerTruncated) throws Exception {
        List<String> command = ChildJvm.command(Victim.class, scenario);
        // Were it to crash after all, its report goes to the test's directory, not the module's.
        command.add(1, "-XX:ErrorFile=" + directory.resolve("hs_err_pid%p.log"));
        ChildJvm.Result child = ChildJvm.run(command);

        assertThat(child.exitCode()).as("the child's exit code; it printed:%n%s", child.output()).isZero();
        assertThat(child.value("survived")).isEqualTo("true");
        if (refused == null) {
            assertThat(child.value("refused")).isNull();
            assertThat(child.value("crc")).isNotNull();
        } else {
            assertThat(child.value("refused")).startsWith(refused).contains("SIGBUS");
        }
        assertThat(child.value("peerTruncated")).isEqualTo(peerTruncated);
    }

    @Test
    void aPrivateMemfdIsMappedUnsealedAndOnceShrinkSealedMayBeHandedOutWhileMapped() {
        try (MemFd memfd = MemFd.create("private")) {
            memfd.write(0, new byte[] {1, 2, 3});
            MappedByteBuffer mapping = memfd.mapReadOnly();
            memfd.resize(8192);

            assertThatThrownBy(memfd::dup).isInstanceOf(MissingSealsException.class)
                    .hasMessageContaining("duplicate failed: it must carry the seals [SHRINK]");
            assertThatThrownBy(memfd::rawFd).isInstanceOf(MissingSealsException.class);
            memfd.addSeal(Seal.SHRINK);
            try (MemFd duplicate = memfd.dup()) {
                assertThat(duplicate.mapReadOnly().get(2)).isEqualTo((byte) 3);
            }
            assertThat(mapping.get(0)).isEqualTo((byte) 1);
        }
    }

    @Test
    void aMemfdHandedOutBeforeItWasMappedNeedsTheShrinkSeal() {
        try (MemFd memfd = MemFd.create("handed-out")) {
            memfd.resize(4096);
            memfd.rawFd();

            assertThatThrownBy(memfd::mapReadOnly).isInstanceOf(MissingSealsException.class)
                    .hasMessageContaining("it was handed out");
            assertThatThrownBy(() -> memfd.mapReadWrite(0, 4096)).isInstanceOf(MissingSealsException.class);
            assertThat(memfd.mapReadOnlyUnsafe(0, 4096).capacity()).isEqualTo(4096);
            memfd.addSeal(Seal.SHRINK);
            assertThat(memfd.mapReadWrite(0, 4096).capacity()).isEqualTo(4096);
        }
    }

    @Test
    void aMemfdCreatedWithoutCloseOnExecIsNeverPrivate() {
        try (MemFd memfd = MemFdOptions.defaults().closeOnExec(false).create("inherited")) {
            memfd.resize(4096);

            assertThatThrownBy(memfd::mapReadOnly).isInstanceOf(MissingSealsException.class);
        }
    }

    @Test
    void theOwnerShrinksTheFileOnceNoMappingIsReachable() throws InterruptedException {
        try (MemFd memfd = MemFd.create("reused")) {
            memfd.resize(8192);
            MappedByteBuffer mapping = memfd.mapReadWrite(0, 8192);
            mapping.put(8191, (byte) 1);

            assertThatThrownBy(() -> memfd.resize(4096)).isInstanceOf(MappingBusyException.class)
                    .hasMessageContaining("resize to 4096 bytes failed").hasMessageContaining("SIGBUS");
            memfd.resize(16384);
            assertThat(memfd.size()).isEqualTo(16384);
            mapping = null;
            Gc.awaitCollection(() -> {
                try {
                    memfd.resize(0);
                    return true;
                } catch (MappingBusyException e) {
                    return false;
                }
            });
            assertThat(memfd.size()).isZero();
        }
    }

    /** Maps a memfd as the scenario says, lets another process truncate it, then reads the mapping. */
    public static final class Victim {

        public static void main(String[] args) throws Exception {
            try {
                run(args[0]);
            } catch (MissingSealsException | MappingBusyException e) {
                refused(e);
            }
            System.out.println("survived=true");
        }

        private static void run(String scenario) throws Exception {
            switch (scenario) {
                case "adopted-unsealed" -> {
                    int fd = foreignMemfd(0);
                    try (MemFd memfd = MemFd.adopt(fd)) {
                        readAfterPeerTruncates(memfd, fd);
                    }
                }
                case "adopted-shrink-sealed" -> {
                    int fd = foreignMemfd(TestLibc.F_SEAL_SHRINK);
                    try (MemFd memfd = MemFd.adopt(fd)) {
                        readAfterPeerTruncates(memfd, fd);
                    }
                }
                case "mapped-then-exported" -> {
                    try (MemFd memfd = filled()) {
                        MappedByteBuffer mapping = memfd.mapReadOnly();
                        memfd.withProcPath(unchecked(Victim::truncateAsPeer));
                        crc(mapping);
                    }
                }
                case "duplicated-then-mapped" -> {
                    try (MemFd memfd = filled(); MemFd duplicate = memfd.dup()) {
                        readAfterPeerTruncates(memfd, duplicate.rawFd());
                    }
                }
                case "shrunk-by-owner" -> {
                    try (MemFd memfd = filled()) {
                        MappedByteBuffer mapping = memfd.mapReadOnly();
                        memfd.resize(0);
                        crc(mapping);
                    }
                }
                default -> throw new IllegalArgumentException(scenario);
            }
        }

        private static void readAfterPeerTruncates(MemFd memfd, int peerVisibleFd) throws Exception {
            MappedByteBuffer mapping;
            try {
                mapping = memfd.mapReadOnly();
            } catch (MissingSealsException e) {
                refused(e);
                mapping = null;
            }
            truncateAsPeer(peerVisibleFd);
            if (mapping != null) {
                crc(mapping);
            }
        }

        private static void refused(MemFdException e) {
            System.out.println("refused=" + e.getClass().getSimpleName() + ": " + e.getMessage());
        }

        /** A 1 MiB memfd made outside the library, as a peer process would send it. */
        private static int foreignMemfd(int seals) {
            int fd = TestLibc.memfd_create("victim", 2);
            TestLibc.ftruncate(fd, MIB);
            if (seals != 0) {
                TestLibc.fcntl(fd, TestLibc.F_ADD_SEALS, seals);
            }
            return fd;
        }

        private static MemFd filled() {
            MemFd memfd = MemFd.create("victim");
            memfd.write(0, new byte[MIB]);
            return memfd;
        }

        /** Another process shrinks the file to nothing through {@code /proc/PID/fd/N}, as any peer holding it can. */
        private static void truncateAsPeer(int fd) throws IOException {
            truncateAsPeer(Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + fd));
        }

        /** Another process shrinks the file at {@code path} to nothing; returns whether it could. */
        private static boolean truncateAsPeer(Path path) throws IOException {
            Process peer = new ProcessBuilder("truncate", "-s", "0", path.toString()).inheritIO().start();
            boolean truncated;
            try {
                truncated = peer.waitFor() == 0;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            System.out.println("peerTruncated=" + truncated);
            return truncated;
        }

        private static void crc(MappedByteBuffer mapping) {
            CRC32 crc = new CRC32();
            crc.update(mapping);
            System.out.println("crc=" + crc.getValue());
        }
    }
}
