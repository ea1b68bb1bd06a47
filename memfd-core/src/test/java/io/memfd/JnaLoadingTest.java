package io.memfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.ipc.MemFdClient;
import io.memfd.ipc.MemFdServer;
import io.memfd.testing.ChildJvm;
import io.memfd.testing.UnloadableJna;

/**
 * Where JNA cannot put its native stub anywhere it can load it from, as in a container with a read-only root file
 * system or a {@code noexec} /tmp: on the JNA backend (forced here, as on Java 17 to 21) the probe says so, with
 * JNA's own reason and the two fixes, and both fixes work; the FFM backend (Java 22+) needs no stub and just works.
 * Each case is a child JVM (see {@link UnloadableJna}).
 */
class JnaLoadingTest {

    private static final String FORCE_JNA = "-Dio.memfd.native=jna";

    @TempDir
    Path temp;

    @Test
    void withNowhereToExtractTheStubTheProbeSaysWhyAndHowToFixIt() throws Exception {
        ChildJvm.Result child = probe(List.of());

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("available")).isEqualTo("false");
        assertThat(child.value("backend")).isEqualTo("jna");
        assertThat(child.value("nativeCallsAvailable")).isEqualTo("false");
        assertThat(child.value("problem")).startsWith("JNA could not load its native library libjnidispatch (")
            .contains(UnloadableJna.tmpdir(this.temp) + "' does not exist", "-Djna.tmpdir=DIR",
                    "-Djna.boot.library.path=DIR")
            .doesNotContain("seccomp");
    }

    @Test
    void theFfmBackendNeedsNoStubAtAll() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22 && !"jna".equals(System.getProperty("io.memfd.native")),
                "the FFM backend needs Java 22+ and must not be forced off");
        List<String> jvmOptions = new ArrayList<>(UnloadableJna.jvmOptions(this.temp));
        ChildJvm.Result child = ChildJvm.run(UnloadableJna.withoutXdgCache(ChildJvm.command(jvmOptions, Probe.class)));

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("backend")).isEqualTo("ffm");
        assertThat(child.value("available")).isEqualTo("true");
        assertThat(child.value("created")).isEqualTo("true");
    }

    @Test
    void afterAFailedFirstUseTheProbeStillGivesJnasReason() throws Exception {
        // A later use of JNA sees "Could not initialize class com.sun.jna.Native"; the reason is in its cause chain.
        ChildJvm.Result child = probe(List.of(), "create-first");

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("create")).startsWith("UnsupportedByKernelException: memfd 'probe': create failed:"
                + " JNA could not load its native library libjnidispatch (");
        assertThat(child.value("problem")).startsWith("JNA could not load its native library libjnidispatch (")
            .contains(UnloadableJna.tmpdir(this.temp) + "' does not exist");
    }

    @Test
    void everyWayInGivesATypedExceptionWithTheReasonAndTheFixesEveryTime() throws Exception {
        // Not JNA's LinkageError, whose later throws say only "Could not initialize class com.sun.jna.Native".
        ChildJvm.Result child = probe(List.of(), "doors", this.temp.resolve("doors.sock").toString());

        assertThat(child.exitCode()).as(child.output()).isZero();
        for (String door : List.of("create", "createAgain", "adopt", "serve", "connect")) {
            assertThat(child.value(door)).as(door)
                .matches("(UnsupportedByKernelException|IpcException): .*JNA could not load its native library.*")
                .contains(UnloadableJna.tmpdir(this.temp) + "' does not exist", "-Djna.tmpdir=DIR",
                        "-Djna.boot.library.path=DIR");
        }
        assertThat(child.value("adopt")).startsWith("UnsupportedByKernelException: descriptor: adopt failed: ");
        assertThat(child.value("serve")).startsWith("IpcException: ");
    }

    @Test
    void whereTheJvmDeniesNativeAccessTheProblemSaysSoAndHowToAllowIt() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "--illegal-native-access=deny exists from Java 24 on");
        // Neither backend may call native code here: FFM fails to start, and so does JNA, for the same reason.
        ChildJvm.Result child = ChildJvm.run(ChildJvm.command(List.of("--illegal-native-access=deny"), Probe.class));

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("available")).isEqualTo("false");
        assertThat(child.value("nativeCallsAvailable")).isEqualTo("false");
        assertThat(child.value("problem")).startsWith("native access is denied to JNA (")
            .contains("--enable-native-access=ALL-UNNAMED", "Enable-Native-Access: ALL-UNNAMED")
            .doesNotContain("jna.tmpdir");
    }

    @Test
    void jnaTmpdirOnAWritableDirectoryFixesIt() throws Exception {
        Path jnaTmp = Files.createDirectory(this.temp.resolve("jna"));
        ChildJvm.Result child = probe(List.of("-Djna.tmpdir=" + jnaTmp));

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("available")).isEqualTo("true");
        assertThat(child.value("created")).isEqualTo("true");
    }

    @Test
    void aCopyOfTheStubOnJnaBootLibraryPathFixesIt() throws Exception {
        Path library = Files.createDirectory(this.temp.resolve("lib"));
        try (InputStream stub = Native.class.getResourceAsStream(
                "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/libjnidispatch.so")) {
            Files.copy(stub, library.resolve("libjnidispatch.so"));
        }
        ChildJvm.Result child = probe(List.of("-Djna.boot.library.path=" + library));

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("available")).isEqualTo("true");
        assertThat(child.value("created")).isEqualTo("true");
    }

    @Test
    void aNoexecTemporaryDirectoryIsReportedAsJnaCannotLoad() throws Exception {
        // The container case itself: JNA extracts the stub, and the kernel refuses to map it from a noexec mount.
        // The mount is made in a private mount namespace, which needs root (CAP_SYS_ADMIN) and unshare(1).
        Path noexec = Files.createDirectory(this.temp.resolve("noexec"));
        List<String> mount = List.of("/usr/bin/unshare", "--mount", "sh", "-c",
                "mount -t tmpfs -o noexec,size=16m tmpfs \"$0\" && exec \"$@\"", noexec.toString());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare"))
                && ChildJvm.run(concat(mount, List.of("true"))).exitCode() == 0,
                "making a noexec mount in a private mount namespace needs root and unshare(1)");
        List<String> options = List.of(FORCE_JNA, "-Duser.home=" + noexec, "-Djava.io.tmpdir=" + noexec);
        ChildJvm.Result child = ChildJvm.run(concat(mount,
                UnloadableJna.withoutXdgCache(ChildJvm.command(options, Probe.class))));

        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.value("available")).isEqualTo("false");
        assertThat(child.value("nativeCallsAvailable")).isEqualTo("false");
        assertThat(child.value("problem")).contains("failed to map segment from shared object", "-Djna.tmpdir=DIR");
    }

    /** Runs {@link Probe} where JNA cannot extract its stub, plus {@code options}. */
    private ChildJvm.Result probe(List<String> options, String... args) throws IOException, InterruptedException {
        List<String> jvmOptions = new ArrayList<>(UnloadableJna.jvmOptions(this.temp));
        jvmOptions.add(FORCE_JNA);
        jvmOptions.addAll(options);
        return ChildJvm.run(UnloadableJna.withoutXdgCache(ChildJvm.command(jvmOptions, Probe.class, args)));
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Prints what the probe finds and whether a memfd can be created; "create-first" tries the memfd first. */
    public static final class Probe {
        public static void main(String[] args) {
            if (args.length > 0 && args[0].equals("create-first")) {
                System.out.println("create=" + tryCreate());
            }
            if (args.length > 0 && args[0].equals("doors")) {
                System.out.println("create=" + tryCreate());
                System.out.println("createAgain=" + tryCreate());
                System.out.println("adopt=" + failure(() -> MemFd.adopt(0).close()));
                Path socket = Path.of(args[1]);
                System.out.println("serve=" + failure(() -> MemFdServer.builder(socket)
                        .handler((request) -> new byte[0]).build().start().close()));
                System.out.println("connect=" + failure(() -> MemFdClient.builder(socket).build().close()));
                return;
            }
            KernelFeatures features = KernelFeatures.detect();
            System.out.println("backend=" + features.nativeBackend());
            System.out.println("available=" + features.available());
            System.out.println("nativeCallsAvailable=" + features.nativeCallsAvailable());
            System.out.println("problem=" + features.problem());
            System.out.println("created=" + tryCreate().equals("ok"));
        }

        private static String tryCreate() {
            String failure = failure(() -> MemFd.create("probe").close());
            return failure == null ? "ok" : failure;
        }

        /** What {@code action} threw, as its simple class name and message; {@code null} if nothing. */
        private static String failure(Runnable action) {
            try {
                action.run();
                return null;
            } catch (RuntimeException | LinkageError e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
    }
}
