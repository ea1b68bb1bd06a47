package io.memfd.spring.autoconfigure;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplicationAotProcessor;

import io.memfd.testing.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter in an application built with Spring AOT, as the Boot plugin's {@code process-aot} builds it: the AOT
 * processor runs the application's main class in a JVM of its own and writes code, resources and hints; the code is
 * compiled; the application then starts from it with {@code spring.aot.enabled=true}. The build ran here, where
 * {@code memfd_create} works and {@code memfd.enabled} is unset, so the build switched memfd support on.
 */
class MemFdAotTests {

    @TempDir
    static Path build;

    @BeforeAll
    static void processAheadOfTimeAndCompile() throws Exception {
        ChildJvm.Result processed = ChildJvm.run(SpringApplicationAotProcessor.class,
                StartupApplication.class.getName(), sources().toString(), resources().toString(),
                classes().toString(), "io.memfd", "aot-test");
        assertThat(processed.exitCode()).as(processed.output()).isZero();
        List<String> javac = new ArrayList<>(List.of("-d", classes().toString(), "-proc:none", "-cp",
                System.getProperty("java.class.path")));
        try (Stream<Path> files = Files.walk(sources())) {
            files.filter((file) -> file.toString().endsWith(".java")).forEach((file) -> javac.add(file.toString()));
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertThat(compiler.run(null, null, null, javac.toArray(String[]::new))).as("javac exit code").isZero();
    }

    @Test
    void startsFromTheGeneratedCodeAndCreatesMemfds() throws Exception {
        ChildJvm.Result result = startAotProcessed();

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("Starting AOT-processed StartupApplication",
                "Started with 1 MemFdFactory beans", "Created memfd started; memfd:started resolves")
            .doesNotContain("restricted method", NativeAccessTests.ADVICE);
    }

    @Test
    void whereThisProcessCannotCreateMemfdsStartupFailsWithTheAnalysis() throws Exception {
        // The condition is not evaluated again at run time; the kernel probe in the KernelFeatures bean is.
        ChildJvm.Result result = startAotProcessed("--forbid-memfd-create");

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("APPLICATION FAILED TO START",
                "Description:\n\nmemfd support was switched on when this application was built with Spring AOT"
                        + " (memfd_create worked on the build machine), but this process cannot create memfds:",
                "denied memfd_create [EPERM]", "Action:\n\nLet this process call memfd_create(2)",
                "build the application (Spring AOT's process-aot) with memfd.enabled=false")
            .doesNotContain("memfd.enabled is true")
            .doesNotContain("Started with");
    }

    @Test
    void memfdEnabledFalseAtRunTimeCannotSwitchSupportOffAndSaysSo() throws Exception {
        ChildJvm.Result result = startAotProcessed("--memfd.enabled=false");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().lines().filter((line) -> line.contains("memfd.enabled=false is ignored")))
            .singleElement()
            .asString()
            .contains("WARN", "built with Spring AOT", "Build it with memfd.enabled=false");
        assertThat(result.output()).contains("Started with 1 MemFdFactory beans");
    }

    @Test
    void theBuildRecordsTheStartersRuntimeHints() throws IOException {
        Path metadata;
        try (Stream<Path> files = Files.walk(resources())) {
            metadata = files.filter((file) -> file.getFileName().toString().equals("reachability-metadata.json"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the AOT build wrote no native-image metadata"));
        }
        DocumentContext hints = JsonPath.parse(metadata.toFile());
        assertThat(hints.read("$.resources[*].glob", List.class)).containsAll(MemFdRuntimeHints.JNA_STUBS);
        assertThat(hints.read("$.reflection[*].type", List.class)).containsAll(MemFdRuntimeHints.DIRECT_MAPPED)
            .containsAll(MemFdRuntimeHints.PROXIED);
        assertThat(hints.read("$.jni[*].type", List.class)).containsAll(MemFdRuntimeHints.DIRECT_MAPPED);
        assertThat(hints.read("$.reflection[*].type.proxy[0]", List.class)).containsAll(MemFdRuntimeHints.PROXIED);
    }

    private static ChildJvm.Result startAotProcessed(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Dspring.aot.enabled=true", "-cp",
                classes() + File.pathSeparator + resources() + File.pathSeparator
                        + System.getProperty("java.class.path"),
                StartupApplication.class.getName(), "--spring.main.banner-mode=off"));
        command.addAll(List.of(args));
        return ChildJvm.run(command);
    }

    private static Path sources() {
        return build.resolve("sources");
    }

    private static Path resources() {
        return build.resolve("resources");
    }

    private static Path classes() {
        return build.resolve("classes");
    }
}
