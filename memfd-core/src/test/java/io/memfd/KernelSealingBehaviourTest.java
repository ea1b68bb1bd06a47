package io.memfd;

import static io.memfd.testing.Io.unchecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

import io.memfd.internal.Errno;
import io.memfd.testing.ChildJvm;
import io.memfd.testing.TestLibc;

/**
 * The behaviour the kernel's own memfd selftests check (tools/testing/selftests/memfd), each through this library's
 * public API against the real kernel. Numbers refer to the list in the project's memfd facts.
 */
class KernelSealingBehaviourTest {

    private static final MemFdOptions EXECUTABLE = MemFdOptions.defaults().executable(true);

    // 1. Names and flags (the flag cases that the public API cannot express are in MemfdCreateTest).

    @Test
    void emptyNameIsValidAndShowsInProc() throws IOException {
        try (MemFd memfd = MemFd.create("")) {
            assertThat(memfd.withProcPath(unchecked(Files::readSymbolicLink))).hasToString("/memfd: (deleted)");
        }
    }

    @Test
    void nameOf249BytesIsValidAnd250IsRejected() {
        try (MemFd memfd = MemFd.create("n".repeat(249))) {
            assertThat(memfd.name()).hasSize(249);
        }
        assertThatThrownBy(() -> MemFd.create("n".repeat(250)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 249 bytes").hasMessageContaining("250");
    }

    // 2. Initial seals, re-adding, F_SEAL_SEAL.

    @Test
    void sealsStartEmptyWithSealingAllowed() {
        try (MemFd memfd = EXECUTABLE.create("empty-seals")) {
            assertThat(memfd.seals()).isEmpty();
        }
    }

    @Test
    void reAddingAPresentSealIsANoOp() {
        try (MemFd memfd = EXECUTABLE.create("re-add")) {
            memfd.addSeal(Seal.SHRINK);
            memfd.addSeal(Seal.SHRINK);
            assertThat(memfd.seals()).containsExactly(Seal.SHRINK);
        }
    }

    @Test
    void afterSealSealANewSealIsRefused() {
        try (MemFd memfd = MemFd.create("sealed-seals")) {
            memfd.addSeal(Seal.SEAL);
            assertThatThrownBy(() -> memfd.addSeal(Seal.GROW))
                    .isInstanceOfSatisfying(SealedException.class, e -> assertThat(e.seal()).isEqualTo(Seal.SEAL))
                    .hasMessageContaining("memfd 'sealed-seals'").hasMessageContaining("F_SEAL_SEAL")
                    .hasMessageContaining("[EPERM]");
            assertThat(memfd.seals()).doesNotContain(Seal.GROW);
        }
    }

    @Test
    void afterSealSealTheKernelRefusesEvenPresentSealsButReAddingThemStaysANoOp() {
        try (MemFd memfd = MemFd.create("immutable-twice")) {
            memfd.write(0, new byte[] {1, 2, 3});
            memfd.makeImmutable();
            int present = Seal.toBits(memfd.seals());
            assertThatThrownBy(() -> TestLibc.fcntl(memfd.rawFd(), TestLibc.F_ADD_SEALS, Seal.toBits(Seal.IMMUTABLE)))
                    .as("the kernel's own answer").isInstanceOfSatisfying(LastErrorException.class,
                            e -> assertThat(e.getErrorCode()).isEqualTo(Errno.EPERM.code()));

            memfd.makeImmutable();
            memfd.addSeals(EnumSet.noneOf(Seal.class));
            memfd.addSeal(Seal.WRITE);

            assertThat(Seal.toBits(memfd.seals())).isEqualTo(present);
            assertThatThrownBy(() -> memfd.write(0, new byte[] {9})).isInstanceOf(WriteSealedException.class);
        }
    }

    @Test
    void withoutAllowSealingTheSealsAreExactlySeal() {
        try (MemFd memfd = EXECUTABLE.allowSealing(false).create("no-sealing")) {
            assertThat(memfd.seals()).containsExactly(Seal.SEAL);
            assertThatThrownBy(() -> memfd.addSeal(Seal.WRITE)).isInstanceOf(SealedException.class)
                    .hasMessageContaining("created without sealing allowed")
                    .hasMessageContaining("allowSealing(false)");
            assertThatThrownBy(memfd::makeImmutable).isInstanceOf(SealedException.class);
        }
    }

    @Test
    void withoutAllowSealingNoSealCanBeAddedEvenWhenNoexecSealLiftedIt() {
        try (MemFd memfd = MemFdOptions.defaults().allowSealing(false).create("noexec-no-sealing")) {
            assertThat(memfd.seals()).contains(Seal.SEAL);
            assertThatThrownBy(() -> memfd.addSeal(Seal.WRITE)).isInstanceOf(SealedException.class);
        }
    }

    // 3. F_SEAL_WRITE.

    @Test
    void writeSealKeepsReadsAndPrivateMappingsButRefusesWrites() throws IOException {
        try (MemFd memfd = MemFd.create("write-sealed")) {
            memfd.write(0, bytes("abcd"));
            memfd.addSeal(Seal.WRITE);

            assertThat(memfd.readAllBytes()).isEqualTo(bytes("abcd"));
            assertThatThrownBy(() -> memfd.write(0, bytes("x")))
                    .isInstanceOfSatisfying(WriteSealedException.class,
                            e -> assertThat(e.seal()).isEqualTo(Seal.WRITE))
                    .hasMessageContaining("memfd 'write-sealed'").hasMessageContaining("write 1 bytes at offset 0")
                    .hasMessageContaining("sealed against writing (F_SEAL_WRITE)").hasMessageContaining("[EPERM]");

            try (FileChannel readWrite = memfd.withProcPath(unchecked(path -> FileChannel.open(path,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)))) {
                MappedByteBuffer privateCopy = readWrite.map(FileChannel.MapMode.PRIVATE, 0, 4);
                privateCopy.put(0, (byte) 'z');
                assertThat(privateCopy.get(0)).isEqualTo((byte) 'z');
                // A shared writable mapping is refused by the kernel itself.
                assertThatThrownBy(() -> readWrite.map(FileChannel.MapMode.READ_WRITE, 0, 4))
                        .isInstanceOf(IOException.class);
            }
            assertThat(memfd.readAllBytes()).isEqualTo(bytes("abcd"));
        }
    }

    @Test
    void writeSealedMemfdMapsReadOnlyAndRefusesReadWriteMappingClearly() {
        try (MemFd memfd = MemFd.create("ro-map")) {
            memfd.write(0, bytes("data"));
            memfd.makeImmutable();
            assertThat(memfd.mapReadOnly().get(3)).isEqualTo((byte) 'a');
            assertThatThrownBy(() -> memfd.mapReadWrite(0, 4))
                    .isInstanceOf(WriteSealedException.class)
                    .hasMessageContaining("map read-write").hasMessageContaining("F_SEAL_WRITE");
        }
    }

    @Test
    void readOnlySharedMappingOfWriteSealedFileCannotBeMadeWritable() {
        try (MemFd memfd = MemFd.create("mprotect")) {
            memfd.resize(4096);
            memfd.addSeal(Seal.WRITE);
            Pointer mapping = TestLibc.mmap(null, 4096, TestLibc.PROT_READ, TestLibc.MAP_SHARED, memfd.rawFd(), 0);
            try {
                assertThatThrownBy(() -> TestLibc.mprotect(mapping, 4096, TestLibc.PROT_READ | TestLibc.PROT_WRITE))
                        .isInstanceOf(LastErrorException.class);
            } finally {
                TestLibc.munmap(mapping, 4096);
            }
        }
    }

    // 4. F_SEAL_FUTURE_WRITE.

    @Test
    void futureWriteSealIsAddedDespiteAWritableMappingWhichKeepsWorking() throws IOException {
        try (MemFd memfd = MemFd.create("future-write")) {
            memfd.resize(4096);
            // Sealed against shrinking, so that the file may be reopened through /proc below while mapped.
            memfd.addSeal(Seal.SHRINK);
            MappedByteBuffer mapping = memfd.mapReadWrite(0, 4096);
            mapping.put(0, (byte) 1);

            memfd.addSeal(Seal.FUTURE_WRITE);

            mapping.put(1, (byte) 2);
            assertThat(memfd.readAllBytes()).startsWith(1, 2);
            assertThatThrownBy(() -> memfd.write(0, bytes("x")))
                    .isInstanceOfSatisfying(WriteSealedException.class,
                            e -> assertThat(e.seal()).isEqualTo(Seal.FUTURE_WRITE));
            try (FileChannel reopened = memfd.withProcPath(unchecked(path -> FileChannel.open(path,
                    StandardOpenOption.WRITE)))) {
                assertThatThrownBy(() -> reopened.write(ByteBuffer.wrap(bytes("x")), 0))
                        .isInstanceOf(IOException.class);
            }
            assertThatThrownBy(() -> memfd.mapReadWrite(0, 4096)).isInstanceOf(WriteSealedException.class);
            Reference.reachabilityFence(mapping);
        }
    }

    // 5. F_SEAL_SHRINK and F_SEAL_GROW.

    @Test
    void shrinkSealRefusesSmallerSizesAndTruncatingReopensButAllowsGrowth() {
        try (MemFd memfd = MemFd.create("shrink")) {
            memfd.resize(8192);
            memfd.addSeal(Seal.SHRINK);

            assertThatThrownBy(() -> memfd.resize(4096))
                    .isInstanceOfSatisfying(ResizeSealedException.class,
                            e -> assertThat(e.seal()).isEqualTo(Seal.SHRINK))
                    .hasMessageContaining("resize to 4096 bytes").hasMessageContaining("F_SEAL_SHRINK");
            assertThatThrownBy(() -> memfd.withProcPath(unchecked(path -> FileChannel.open(path,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))))
                    .hasCauseInstanceOf(IOException.class);
            memfd.resize(16384);
            assertThat(memfd.size()).isEqualTo(16384);
        }
    }

    @Test
    void growSealRefusesLargerSizesAllocationAndWritesPastTheEnd() {
        try (MemFd memfd = MemFd.create("grow")) {
            memfd.resize(4096);
            memfd.addSeal(Seal.GROW);

            assertThatThrownBy(() -> memfd.resize(8192))
                    .isInstanceOfSatisfying(ResizeSealedException.class,
                            e -> assertThat(e.seal()).isEqualTo(Seal.GROW));
            assertThatThrownBy(() -> memfd.allocate(0, 8192)).isInstanceOf(ResizeSealedException.class);
            assertThatThrownBy(() -> memfd.write(4090, new byte[100]))
                    .isInstanceOfSatisfying(ResizeSealedException.class,
                            e -> assertThat(e.seal()).isEqualTo(Seal.GROW));
            memfd.write(0, new byte[4096]);
            memfd.resize(100);
            assertThat(memfd.size()).isEqualTo(100);
        }
    }

    // 6. Seals belong to the file.

    @Test
    void sealsAreSharedAcrossDupAndProcReopen() {
        try (MemFd memfd = MemFd.create("shared-seals");
                MemFd duplicate = memfd.dup();
                MemFd reopened = MemFd.adopt(TestLibc.reopen(memfd, TestLibc.O_RDWR))) {
            duplicate.addSeal(Seal.GROW);
            reopened.addSeal(Seal.SHRINK);
            assertThat(memfd.seals()).contains(Seal.GROW, Seal.SHRINK);
            assertThat(reopened.seals()).isEqualTo(memfd.seals()).isEqualTo(duplicate.seals());
        }
    }

    @Test
    void sealsAreSharedAcrossFork() throws Exception {
        try (MemFd memfd = MemFd.create("forked")) {
            // Python opens the memfd through /proc, forks, seals GROW in the child and reports the parent's view.
            String script = String.join("\n",
                    "import os, sys, fcntl",
                    "fd = os.open(sys.argv[1], os.O_RDWR)",
                    "pid = os.fork()",
                    "if pid == 0:",
                    "    fcntl.fcntl(fd, 1033, 4)",
                    "    os._exit(0)",
                    "os.waitpid(pid, 0)",
                    "print(fcntl.fcntl(fd, 1034))");
            // The path is used while the process runs, which withProcPath waits for.
            ChildJvm.Result python = memfd.withProcPath(unchecked(path -> {
                try {
                    return ChildJvm.run(List.of("python3", "-c", script, path.toString()));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            assertThat(python.exitCode()).as(python.output()).isZero();
            assertThat(Seal.fromBits(Integer.parseInt(python.output().trim()))).contains(Seal.GROW);
            assertThat(memfd.seals()).contains(Seal.GROW);
        }
    }

    @Test
    void addingSealsThroughAReadOnlyDescriptorIsNotPermitted() {
        try (MemFd memfd = MemFd.create("read-only");
                MemFd readOnly = MemFd.adopt(TestLibc.reopen(memfd, TestLibc.O_RDONLY))) {
            assertThatThrownBy(() -> readOnly.addSeal(Seal.WRITE))
                    .isInstanceOf(NotPermittedException.class)
                    .hasMessageContaining("read-only").hasMessageContaining("[EPERM]");
            assertThat(memfd.seals()).doesNotContain(Seal.WRITE);
            assertThatThrownBy(() -> readOnly.write(0, bytes("x")))
                    .isInstanceOf(NotPermittedException.class).hasMessageContaining("not open for writing");
        }
    }

    // 7. Which mappings block which seals.

    @Test
    void sharedWritableMappingBlocksOnlyTheWriteSeal() {
        try (MemFd memfd = MemFd.create("busy")) {
            memfd.resize(4096);
            MappedByteBuffer mapping = memfd.mapReadWrite(0, 4096);

            assertThatThrownBy(() -> memfd.addSeal(Seal.WRITE))
                    .isInstanceOf(MappingBusyException.class)
                    .hasMessageContaining("FUTURE_WRITE").hasMessageContaining("[EBUSY]");
            memfd.addSeals(Seal.SHRINK, Seal.GROW);
            assertThat(memfd.seals()).contains(Seal.SHRINK, Seal.GROW).doesNotContain(Seal.WRITE);
            Reference.reachabilityFence(mapping);
        }
    }

    @Test
    void privateMappingDoesNotBlockTheWriteSeal() throws IOException {
        try (MemFd memfd = MemFd.create("private")) {
            memfd.resize(4096);
            try (FileChannel readWrite = memfd.withProcPath(unchecked(path -> FileChannel.open(path,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)))) {
                MappedByteBuffer privateMapping = readWrite.map(FileChannel.MapMode.PRIVATE, 0, 4096);
                memfd.addSeal(Seal.WRITE);
                assertThat(memfd.seals()).contains(Seal.WRITE);
                Reference.reachabilityFence(privateMapping);
            }
        }
    }

    // 8. MFD_NOEXEC_SEAL and F_SEAL_EXEC.

    @Test
    void defaultMemfdIsNonExecutableWithTheExecSeal() throws IOException {
        try (MemFd memfd = MemFd.create("noexec")) {
            assertThat(memfd.seals()).contains(Seal.EXEC);
            assertThat(PosixFilePermissions.toString(memfd.withProcPath(unchecked(Files::getPosixFilePermissions))))
                    .isEqualTo("rw-rw-rw-");
        }
    }

    @Test
    void executableMemfdHasExecuteBitsAndNoSeals() throws IOException {
        try (MemFd memfd = EXECUTABLE.create("exec")) {
            assertThat(memfd.seals()).isEmpty();
            assertThat(PosixFilePermissions.toString(memfd.withProcPath(unchecked(Files::getPosixFilePermissions))))
                    .isEqualTo("rwxrwxrwx");
        }
    }

    @Test
    void sealingExecOnAnExecutableFileAlsoSealsWritesAndSize() {
        try (MemFd memfd = EXECUTABLE.create("exec-seal")) {
            memfd.addSeal(Seal.EXEC);
            assertThat(memfd.seals()).contains(Seal.EXEC, Seal.WRITE, Seal.SHRINK, Seal.GROW);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
