package io.memfd.spring.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.testing.ChildJvm;
import io.memfd.testing.UnloadableJna;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A whole Spring Boot application, in its own JVM on the JNA backend, where JNA finds nowhere to extract its native
 * stub (a read-only root file system, in effect): what its user sees in the console names JNA and its fixes, not
 * seccomp or the kernel.
 */
class JnaUnavailableApplicationTests {

    @TempDir
    Path temp;

    @Test
    void explicitlyEnabledFailsWithAnAnalysisThatNamesJnaAndItsFixes() throws Exception {
        ChildJvm.Result result = run("--memfd.enabled=true");

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        String report = result.output().substring(result.output().indexOf("APPLICATION FAILED TO START"));
        assertThat(report).contains(
                "Description:\n\nmemfd.enabled is true, but this process cannot create memfds:",
                "JNA could not load its native library libjnidispatch (",
                UnloadableJna.tmpdir(this.temp) + "' does not exist",
                "Action:\n\nmemfd-core calls the kernel through JNA, and JNA could not load its native library",
                "read-only root file system or a /tmp mounted noexec",
                "set -Djna.tmpdir to a directory that is writable and not mounted noexec",
                "set -Djna.boot.library.path to that directory", "set memfd.enabled=false",
                "it uses JNA here (forced by -Dio.memfd.native=jna)")
            .doesNotContain("seccomp", "SELinux", "Linux 3.17");
        assertThat(result.output()).doesNotContain("Started with");
    }

    @Test
    void unsetBacksOffWithOneLineThatNamesJnaAndTheApplicationStarts() throws Exception {
        ChildJvm.Result result = run();

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().lines().filter((line) -> line.contains("memfd support is off")))
            .singleElement()
            .asString()
            .contains("WARN", "JNA could not load its native library libjnidispatch", "-Djna.tmpdir=DIR",
                    "-Djna.boot.library.path=DIR");
        assertThat(result.output()).contains("Started with 0 MemFdFactory beans");
    }

    /** Java 24+ with native access denied: neither backend can start, and the analysis says to enable it. */
    @Test
    void whereTheJvmDeniesNativeAccessTheAnalysisSaysToEnableIt() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "--illegal-native-access=deny exists from Java 24 on");
        ChildJvm.Result result = ChildJvm.run(ChildJvm.command(List.of("--illegal-native-access=deny"),
                StartupApplication.class, "--spring.main.banner-mode=off", "--memfd.enabled=true"));

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        String report = result.output().substring(result.output().indexOf("APPLICATION FAILED TO START"));
        assertThat(report).contains("native access is denied to JNA (",
                "Action:\n\nThis JVM denies native access (--illegal-native-access=deny)",
                "Enable-Native-Access: ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED")
            .doesNotContain("jna.tmpdir", "seccomp");
    }

    private ChildJvm.Result run(String... arguments) throws Exception {
        List<String> args = new ArrayList<>(List.of("--spring.main.banner-mode=off"));
        args.addAll(List.of(arguments));
        // The JNA backend, as on Java 17 to 21: the FFM one (Java 22+) needs no stub.
        List<String> jvmOptions = new ArrayList<>(UnloadableJna.jvmOptions(this.temp));
        jvmOptions.add("-Dio.memfd.native=jna");
        return ChildJvm.run(UnloadableJna.withoutXdgCache(ChildJvm.command(jvmOptions, StartupApplication.class,
                args.toArray(String[]::new))));
    }
}
