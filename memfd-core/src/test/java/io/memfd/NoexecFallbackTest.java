package io.memfd;

import static io.memfd.testing.Io.unchecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.memfd.internal.Errno;
import io.memfd.testing.ChildJvm;
import io.memfd.testing.OpenFds;
import io.memfd.testing.Seccomp;

/**
 * The exec-flag decision: try {@code MFD_NOEXEC_SEAL}, fall back only on {@code EINVAL} keeping every other flag, and
 * report {@code EACCES} as the {@code vm.memfd_noexec} policy. The kernel here is new enough to accept the flags, so
 * the old kernel and the policy are produced by the kernel itself: a seccomp filter that answers as they would, or
 * the real sysctl in a private pid namespace. Each runs in a child JVM, as both are irreversible for the process.
 */
class NoexecFallbackTest {

    private static final int O_CLOEXEC = 0x80000;

    @Test
    void onAKernelWithoutExecFlagsTheRetryKeepsEveryOtherFlag() throws Exception {
        assumeTrue(Seccomp.isSupported(), "seccomp filters are installed here only on x86_64 and aarch64 Linux");
        ChildJvm.Result child = ChildJvm.run(OldKernel.class);

        assertThat(child.exitCode()).as(child.output()).isZero();
        // The kernel was asked again without MFD_NOEXEC_SEAL: no EXEC seal, and the x bits of pre-6.3 kernels.
        assertThat(child.value("seals")).isEqualTo("[]");
        assertThat(child.value("mode")).isEqualTo("rwxrwxrwx");
        // MFD_ALLOW_SEALING survived the retry: sealing works.
        assertThat(child.value("sealsAfterSealing")).isEqualTo("[SEAL, SHRINK, GROW, WRITE]");
        // MFD_CLOEXEC survived the retry.
        assertThat(child.value("cloexec")).isEqualTo("true");
        assertThat(child.value("learned")).isEqualTo("true");
        // Later memfds skip the doomed first attempt and still carry their flags.
        assertThat(child.value("secondSeals")).isEqualTo("[]");
        assertThat(child.value("noSealingSeals")).isEqualTo("[SEAL]");
        assertThat(child.value("executableSeals")).isEqualTo("[]");
    }

    @Test
    void anEinvalThatIsNotAboutExecFlagsIsReportedNotHidden() throws Exception {
        assumeTrue(Seccomp.isSupported(), "seccomp filters are installed here only on x86_64 and aarch64 Linux");
        ChildJvm.Result child = ChildJvm.run(RejectsEverything.class, String.valueOf(Errno.EINVAL.code()));

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("error")).startsWith("UnsupportedByKernelException: memfd 'doomed': create with"
                + " MFD_CLOEXEC|MFD_ALLOW_SEALING failed:").endsWith("[EINVAL]");
        assertThat(child.value("learned")).isEqualTo("false");
    }

    @Test
    void eaccesForExecutableMemfdsIsReportedAsThePolicy() throws Exception {
        assumeTrue(Seccomp.isSupported(), "seccomp filters are installed here only on x86_64 and aarch64 Linux");
        ChildJvm.Result child = ChildJvm.run(ExecForbidden.class);

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("error")).startsWith("NotPermittedException: memfd 'wants-exec': create with")
                .contains("vm.memfd_noexec=2").endsWith("[EACCES]");
        assertThat(child.value("defaultSeals")).isEqualTo("[EXEC]");
    }

    @Test
    void theRealMemfdNoexecPolicyIsReported() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/proc/sys/vm/memfd_noexec"))
                && Files.isExecutable(Path.of("/usr/bin/unshare")),
                "setting vm.memfd_noexec in a private pid namespace needs root and unshare(1)");
        // vm.memfd_noexec belongs to the pid namespace: setting it in a new one leaves the machine's value alone.
        List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--pid", "--fork", "sh", "-c",
                "echo 2 > /proc/sys/vm/memfd_noexec && exec \"$@\"", "sh"));
        command.addAll(ChildJvm.command(ExecForbiddenByPolicy.class));
        ChildJvm.Result child = ChildJvm.run(command);

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("error")).startsWith("NotPermittedException: memfd 'wants-exec'")
                .contains("vm.memfd_noexec=2").endsWith("[EACCES]");
        assertThat(child.value("defaultSeals")).isEqualTo("[EXEC]");
    }

    @Test
    void aForbiddenMemfdCreateIsDetectedAndExplained() throws Exception {
        assumeTrue(Seccomp.isSupported(), "seccomp filters are installed here only on x86_64 and aarch64 Linux");
        ChildJvm.Result child = ChildJvm.run(RejectsEverything.class, String.valueOf(Errno.EPERM.code()));

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("available")).isEqualTo("false");
        assertThat(child.value("problem")).contains("seccomp").endsWith("[EPERM]");
        assertThat(child.value("error")).startsWith("NotPermittedException: memfd 'doomed'");
    }

    /** A kernel before 6.3: {@code EINVAL} for both exec flags. */
    public static final class OldKernel {
        public static void main(String[] args) throws IOException {
            Seccomp.failMemfdCreate(MemfdCreate.MFD_NOEXEC_SEAL | MemfdCreate.MFD_EXEC, Errno.EINVAL.code());
            try (MemFd memfd = MemFd.create("fallback")) {
                System.out.println("seals=" + memfd.seals());
                System.out.println("mode=" + PosixFilePermissions.toString(
                        memfd.withProcPath(unchecked(Files::getPosixFilePermissions))));
                System.out.println("cloexec=" + ((OpenFds.statusFlags(memfd.rawFd()) & O_CLOEXEC) != 0));
                memfd.makeImmutable();
                System.out.println("sealsAfterSealing=" + memfd.seals());
                System.out.println("learned=" + MemfdCreate.execFlagsUnknownToKernel());
            }
            try (MemFd second = MemFd.create("second")) {
                System.out.println("secondSeals=" + second.seals());
            }
            try (MemFd noSealing = MemFdOptions.defaults().allowSealing(false).create("no-sealing")) {
                System.out.println("noSealingSeals=" + noSealing.seals());
            }
            try (MemFd executable = MemFdOptions.defaults().executable(true).create("executable")) {
                System.out.println("executableSeals=" + executable.seals());
            }
        }
    }

    /** Every memfd_create fails with the errno given as the argument: an old kernel, or a sandbox. */
    public static final class RejectsEverything {
        public static void main(String[] args) {
            Seccomp.failMemfdCreate(0, Integer.parseInt(args[0]));
            KernelFeatures features = KernelFeatures.detect();
            System.out.println("available=" + features.available());
            System.out.println("problem=" + features.problem());
            try (MemFd memfd = MemFd.create("doomed")) {
                System.out.println("error=none");
            } catch (MemFdException e) {
                System.out.println("error=" + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            System.out.println("learned=" + MemfdCreate.execFlagsUnknownToKernel());
        }
    }

    /** {@code EACCES} for {@code MFD_EXEC}, as {@code vm.memfd_noexec=2} answers. */
    public static final class ExecForbidden {
        public static void main(String[] args) {
            Seccomp.failMemfdCreate(MemfdCreate.MFD_EXEC, Errno.EACCES.code());
            ExecForbiddenByPolicy.main(args);
        }
    }

    /** Run where {@code vm.memfd_noexec} is 2. */
    public static final class ExecForbiddenByPolicy {
        public static void main(String[] args) {
            try (MemFd memfd = MemFdOptions.defaults().executable(true).create("wants-exec")) {
                System.out.println("error=none");
            } catch (MemFdException e) {
                System.out.println("error=" + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            try (MemFd memfd = MemFd.create("default")) {
                System.out.println("defaultSeals=" + memfd.seals());
            }
        }
    }
}
