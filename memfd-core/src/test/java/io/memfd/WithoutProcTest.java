package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.sun.jna.LastErrorException;

import io.memfd.testing.ChildJvm;
import io.memfd.testing.TestLibc;

/**
 * Where {@code /proc} is not mounted (some sandboxes and minimal containers), {@code adopt} cannot read a descriptor's
 * link, so it cannot tell an open descriptor from a number nothing is open under by that alone. It asks the kernel
 * ({@code F_GETFD}): a number that is not open is left alone, an open descriptor is owned, refused and closed. Runs in
 * a child JVM in a mount namespace of its own, with an empty file system over {@code /proc}.
 */
class WithoutProcTest {

    private static final int F_GETFD = 1;

    @Test
    void adoptOwnsAndClosesAnOpenDescriptorItCannotCheckAndLeavesAFreeNumberAlone() throws Exception {
        assumeTrue(TestLibc.effectiveUid() == 0 && canUnshare(), "only root can hide /proc in a mount namespace");
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs none /proc && exec \"$@\"", "sh"));
        command.addAll(ChildJvm.command(Adopter.class));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Without /proc/self/exe the dynamic loader cannot find the launcher's library next to the java binary.
        builder.environment().put("LD_LIBRARY_PATH", Path.of(System.getProperty("java.home"), "lib").toString());
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        ChildJvm.Result result = new ChildJvm.Result(child.exitValue(), output);

        assertThat(result.exitCode()).as(output).isZero();
        assertThat(result.value("proc")).isEqualTo("absent");
        assertThat(result.value("freeNumber")).isEqualTo("NotMemFdException: descriptor (fd 987654): adopt failed:"
                + " no descriptor with this number is open");
        assertThat(result.value("pipe")).startsWith("NotMemFdException").contains("/proc");
        assertThat(result.value("pipeClosed")).isEqualTo("true");
    }

    private static boolean canUnshare() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("unshare", "--mount", "true").redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        return probe.waitFor() == 0;
    }

    /** Adopts a number nothing is open under, then a pipe, where /proc is empty. */
    public static final class Adopter {

        public static void main(String[] args) {
            System.out.println("proc=" + (Path.of("/proc/self").toFile().exists() ? "present" : "absent"));
            System.out.println("freeNumber=" + refusal(987_654));
            int[] pipe = new int[2];
            TestLibc.pipe(pipe);
            System.out.println("pipe=" + refusal(pipe[0]));
            System.out.println("pipeClosed=" + !isOpen(pipe[0]));
        }

        private static String refusal(int fd) {
            try {
                MemFd.adopt(fd).close();
                return "adopted";
            } catch (MemFdException e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }

        private static boolean isOpen(int fd) {
            try {
                TestLibc.fcntl(fd, F_GETFD, 0);
                return true;
            } catch (LastErrorException e) {
                return false;
            }
        }
    }
}
