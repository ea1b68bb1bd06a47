package io.memfd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.testing.ChildJvm;

/** Which native backend a process gets, and that the FFM one leaves JNA alone. */
class NativeBackendTest {

    private static final int JAVA = Runtime.version().feature();

    @Test
    void thisProcessRunsFfmFromJava22OnAndJnaBeforeOrWhenForced() {
        boolean forcedJna = "jna".equals(System.getProperty(NativeBackend.PROPERTY));

        assertThat(NativeBackend.name()).isEqualTo(JAVA >= 22 && !forcedJna ? "ffm" : "jna");
        assertThat(NativeBackend.calls().name()).isEqualTo(NativeBackend.name());
        assertThat(NativeBackend.ffm().map(NativeCalls::name)).isEqualTo(JAVA >= 22 ? Optional.of("ffm")
                : Optional.empty());
    }

    @Test
    void theChoiceFollowsTheJavaReleaseAndTheProperty() {
        assertThat(NativeBackend.choose(null, 17).calls().name()).isEqualTo("jna");
        assertThat(NativeBackend.choose(null, 21).reason()).isEqualTo(
                "Java 21 has no Foreign Function & Memory API (it needs Java 22+)");
        assertThat(NativeBackend.choose(" JNA ", 25).reason()).isEqualTo("forced by -Dio.memfd.native=jna");
        assertThat(NativeBackend.choose("jna", 25).calls().name()).isEqualTo("jna");
        assertThat(NativeBackend.choose("", JAVA).calls().name()).isEqualTo(JAVA >= 22 ? "ffm" : "jna");
    }

    @Test
    void aBackendThatCannotBeHadIsAClearError() {
        assertThatIllegalStateException().isThrownBy(() -> NativeBackend.choose("ffm", 21))
                .withMessage("The system property io.memfd.native=ffm asks for the Foreign Function & Memory backend,"
                        + " but Java 21 has no Foreign Function & Memory API (it needs Java 22+)");
        assertThatIllegalStateException().isThrownBy(() -> NativeBackend.choose("panama", 25))
                .withMessage("The system property io.memfd.native is \"panama\"; it may be \"ffm\" or \"jna\","
                        + " or unset to use the best available");
    }

    /**
     * The library used as an application uses it (memfds created, written, sealed, mapped, adopted, handed over a
     * Unix socket; see {@link NativeBackendProbe}) loads no JNA class on the FFM path: a single touch of JNA anywhere
     * on that path, even a constant read or a {@code Class.forName}, shows in {@code -verbose:class}.
     */
    @Test
    void theFfmPathLoadsNoJnaClassAndTheJnaPathDoes() throws Exception {
        ChildJvm.Result auto = ChildJvm.run(verboseClassCommand(null));
        ChildJvm.Result forced = ChildJvm.run(verboseClassCommand("jna"));

        assertRanOn(forced, "jna");
        assertThat(forced.output()).contains("com.sun.jna.Native ");
        if (JAVA >= 22) {
            assertRanOn(auto, "ffm");
            assertThat(auto.output()).contains("io.memfd.ipc.MemFdServer ", "io.memfd.internal.FfmCalls ")
                    .doesNotContain("com.sun.jna");
        } else {
            assertRanOn(auto, "jna");
        }
    }

    @Test
    void theChoiceIsLoggedOnceAtDebugLevel(@TempDir Path directory) throws Exception {
        Path config = Files.writeString(directory.resolve("logging.properties"), String.join("\n",
                "handlers=java.util.logging.ConsoleHandler", "java.util.logging.ConsoleHandler.level=ALL",
                "io.memfd.level=ALL", ".level=INFO"));
        List<String> debug = new ArrayList<>(ChildJvm.command(NativeBackendProbe.class));
        debug.add(1, "-Djava.util.logging.config.file=" + config);

        ChildJvm.Result logged = ChildJvm.run(debug);
        ChildJvm.Result quiet = ChildJvm.run(ChildJvm.command(NativeBackendProbe.class));

        String line = "memfd native backend: " + logged.value("backend") + " (" + logged.value("reason") + ")";
        assertThat(logged.output()).contains("FINE: " + line);
        assertThat(logged.output().indexOf(line)).as("logged once").isEqualTo(logged.output().lastIndexOf(line));
        assertThat(quiet.output()).as("not at the default level, INFO").doesNotContain("memfd native backend");
    }

    /**
     * Asserts that a child JVM running {@link NativeBackendProbe} exited normally, each step done through
     * {@code backend}.
     */
    static void assertRanOn(ChildJvm.Result result, String backend) {
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.value("backend")).isEqualTo(backend);
        assertThat(result.value("features")).isEqualTo(backend + " available=true");
        assertThat(result.value("seals")).isEqualTo("14");
        assertThat(result.value("mapped")).isEqualTo(NativeBackendProbe.CONTENT);
        assertThat(result.value("adopted")).isEqualTo(NativeBackendProbe.CONTENT);
        assertThat(result.value("reply")).isEqualTo(NativeBackendProbe.CONTENT);
    }

    /** The probe in a child JVM that lists every class it loads; {@code forced}: the property's value, if any. */
    private static List<String> verboseClassCommand(String forced) {
        List<String> command = new ArrayList<>(ChildJvm.command(NativeBackendProbe.class));
        command.removeIf(argument -> argument.startsWith("-D" + NativeBackend.PROPERTY + "="));
        command.add(1, "-verbose:class");
        if (forced != null) {
            command.add(1, "-D" + NativeBackend.PROPERTY + "=" + forced);
        }
        return command;
    }
}
