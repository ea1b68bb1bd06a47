package io.memfd.modules;

import static io.memfd.testing.ChildJvm.classPathEntry;
import static io.memfd.testing.ChildJvm.java;
import static io.memfd.testing.ChildJvm.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.memfd.testing.ChildJvm;

/**
 * The packaged jar (Failsafe runs this against it) on the module path, where its {@code module-info} decides what an
 * application sees, and on the class path, where it does not: both run {@link ModuleProbe}, which seals a memfd and
 * hands it over a Unix socket through the exported API alone.
 */
class ModulePathIT {

    private static final Path JAR = classPathEntry(path -> path.getFileName().toString().matches("memfd-core-.*\\.jar")
            && !path.getFileName().toString().endsWith("-tests.jar"));
    private static final Path TEST_CLASSES = classPathEntry(path -> path.endsWith("test-classes"));
    private static final Path JNA = classPathEntry(path -> path.getFileName().toString().startsWith("jna-"));

    @Test
    void onTheModulePathOnlyIoMemfdAndIoMemfdIpcAreExportedAndTheyWork() throws Exception {
        ChildJvm.Result result = ChildJvm.run(java("--module-path", path(JAR, JNA), "--add-modules",
                "io.memfd.core,com.sun.jna", "--enable-native-access=io.memfd.core,com.sun.jna", "-cp",
                path(TEST_CLASSES), ModuleProbe.class.getName()));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.value("module")).isEqualTo("io.memfd.core");
        assertThat(result.value("exports")).isEqualTo("[io.memfd, io.memfd.ipc]");
        assertThat(result.value("internalReadable")).isEqualTo("false");
        assertThat(result.value("reply")).isEqualTo("sealed hello");
        assertThat(result.output()).doesNotContain("WARNING");
    }

    @Test
    void onTheClassPathTheSameCodeRunsInTheUnnamedModule() throws Exception {
        ChildJvm.Result result = ChildJvm.run(java("--enable-native-access=ALL-UNNAMED", "-cp", path(JAR, JNA,
                TEST_CLASSES), ModuleProbe.class.getName()));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.value("module")).isEqualTo("unnamed");
        assertThat(result.value("reply")).isEqualTo("sealed hello");
    }

    @Test
    void theModuleResolvesWithoutJnaForTheFfmBackend() throws Exception {
        // JNA is "requires static": a Java 22+ application on the FFM backend need not have it.
        ChildJvm.Result result = ChildJvm.run(java("--module-path", path(JAR), "--add-modules", "io.memfd.core",
                "-version"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).doesNotContain("not found");
    }
}
