package io.memfd.internal;

import static io.memfd.testing.ChildJvm.classPathEntry;
import static io.memfd.testing.ChildJvm.java;
import static io.memfd.testing.ChildJvm.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memfd.testing.ChildJvm;

/**
 * The packaged memfd-core jar, as an application gets it (Failsafe runs this against the jar, not target/classes):
 * multi-release, with the FFM backend in {@code META-INF/versions/22} when a JDK 22+ built it, which a Java 22+ JVM
 * then uses without JNA and, once native access is enabled, without a warning.
 */
class MultiReleaseJarIT {

    private static final int JAVA = Runtime.version().feature();
    private static final String FFM_ENTRY = "io/memfd/internal/FfmCalls.class";
    private static final String RESTRICTED_WARNING = "WARNING: A restricted method";

    private static final Path JAR = classPathEntry(path -> path.getFileName().toString().matches("memfd-core-.*\\.jar")
            && !path.getFileName().toString().endsWith("-tests.jar"));
    private static final Path TEST_CLASSES = classPathEntry(path -> path.endsWith("test-classes"));
    private static final Path JNA = classPathEntry(path -> path.getFileName().toString().startsWith("jna-"));

    @TempDir
    Path directory;

    @Test
    void theJarIsMultiReleaseAndHoldsTheFfmBackendOnlyInItsJava22Part() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Multi-Release")).isEqualTo("true");
            assertThat(jar.getEntry(FFM_ENTRY)).as("a Java 17 JVM must never see it").isNull();
            // The JDK running this test is the one that built the jar.
            assertThat(jar.getEntry("META-INF/versions/22/" + FFM_ENTRY) != null).isEqualTo(JAVA >= 22);
        }
    }

    @Test
    void thisJvmTakesTheBackendFromTheJar() throws Exception {
        boolean forcedJna = "jna".equals(System.getProperty(NativeBackend.PROPERTY));

        assertThat(Path.of(NativeBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI()))
                .isEqualTo(JAR);
        assertThat(NativeBackend.name()).isEqualTo(JAVA >= 22 && !forcedJna ? "ffm" : "jna");
    }

    @Test
    void withoutJnaOnTheClassPathJava22RunsOnFfmAndJava17CannotRun() throws Exception {
        ChildJvm.Result result = ChildJvm.run(java("--enable-native-access=ALL-UNNAMED", "-cp", path(JAR,
                TEST_CLASSES), NativeBackendProbe.class.getName()));

        if (JAVA >= 22) {
            NativeBackendTest.assertRanOn(result, "ffm");
            assertThat(result.output()).doesNotContain("WARNING");
        } else {
            assertThat(result.exitCode()).isNotZero();
            assertThat(result.output()).contains("IpcException", "build a server failed: JNA is not on the class"
                    + " path (com.sun.jna.Native); add net.java.dev.jna:jna");
        }
    }

    @Test
    void nativeAccessEnabledByTheManifestEntryOrTheFlagGivesNoWarning() throws Exception {
        assumeTrue(JAVA >= 22, "Java " + JAVA + " has no FFM backend and prints no native-access warnings");
        Path launcher = launcherJar();

        ChildJvm.Result byManifest = ChildJvm.run(java("-jar", launcher.toString()));
        ChildJvm.Result byFlag = ChildJvm.run(java("--enable-native-access=ALL-UNNAMED", "-cp", path(JAR,
                TEST_CLASSES, JNA), NativeBackendProbe.class.getName()));
        ChildJvm.Result jnaByFlag = ChildJvm.run(java("--enable-native-access=ALL-UNNAMED",
                "-D" + NativeBackend.PROPERTY + "=jna", "-cp", path(JAR, TEST_CLASSES, JNA),
                NativeBackendProbe.class.getName()));
        ChildJvm.Result neither = ChildJvm.run(java("-cp", path(JAR, TEST_CLASSES, JNA),
                NativeBackendProbe.class.getName()));

        for (ChildJvm.Result quiet : List.of(byManifest, byFlag, jnaByFlag)) {
            assertThat(quiet.exitCode()).as(quiet.output()).isZero();
            assertThat(quiet.value("seals")).isEqualTo("14");
            assertThat(quiet.output()).doesNotContain("WARNING");
        }
        assertThat(byManifest.value("backend")).isEqualTo("ffm");
        assertThat(byFlag.value("backend")).isEqualTo("ffm");
        assertThat(jnaByFlag.value("backend")).isEqualTo("jna");
        // The check above can fail: without either, the JVM does warn.
        assertThat(neither.value("backend")).isEqualTo("ffm");
        assertThat(neither.output()).contains(RESTRICTED_WARNING);
    }

    /** An application jar whose manifest starts the probe and enables native access, as a Boot fat jar's can. */
    private Path launcherJar() throws IOException {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.put(Attributes.Name.MAIN_CLASS, NativeBackendProbe.class.getName());
        attributes.put(Attributes.Name.CLASS_PATH, String.join(" ", relative(JAR), relative(TEST_CLASSES) + "/",
                relative(JNA)));
        attributes.putValue("Enable-Native-Access", "ALL-UNNAMED");
        Path launcher = directory.resolve("launcher.jar");
        try (OutputStream out = Files.newOutputStream(launcher); JarOutputStream jar = new JarOutputStream(out,
                manifest)) {
            jar.flush();
        }
        return launcher;
    }

    /** A Class-Path entry: a URL relative to the launcher jar's directory. */
    private String relative(Path path) {
        return directory.relativize(path).toString();
    }
}
