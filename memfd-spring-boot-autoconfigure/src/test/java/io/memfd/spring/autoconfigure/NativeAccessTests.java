package io.memfd.spring.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.memfd.testing.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java 24+ warns when memfd-core's backend (FFM on Java 22+, JNA where forced) first calls native code without native
 * access (JEP 472); the starter then says, once, how to enable it for an executable jar too. The application runs in
 * a child JVM of this JVM's version, so that the CI run on Java 17 checks the quiet side and the one on Java 25 the
 * advice. (With native access enabled nothing is
 * said: MemFdAotTests checks that on the same application.)
 */
class NativeAccessTests {

    static final String ADVICE = "memfd support calls the kernel through ";

    private static final boolean FFM = Runtime.version().feature() >= 22
            && !"jna".equals(System.getProperty("io.memfd.native"));

    private static final boolean JAVA_24_OR_LATER = Runtime.version().feature() >= 24;

    @Test
    void withoutNativeAccessJava24AndLaterGetOneLineSayingHow() throws Exception {
        ChildJvm.Result result = ChildJvm.run(ChildJvm.command(List.of(), StartupApplication.class,
                "--spring.main.banner-mode=off"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("Started with 1 MemFdFactory beans", "Created memfd started");
        List<String> advice = result.output().lines().filter((line) -> line.contains(ADVICE)).toList();
        if (JAVA_24_OR_LATER) {
            // The JVM's own warning, which the line explains: FFM's Linker, or JNA loading its library.
            assertThat(result.output()).contains("WARNING: A restricted method in "
                    + (FFM ? "java.lang.foreign.Linker" : "java.lang.System") + " has been called");
            assertThat(advice).singleElement()
                .asString()
                .contains("WARN", "Java " + Runtime.version().feature(), "Enable-Native-Access: ALL-UNNAMED",
                        "executable jar's manifest", "--enable-native-access=ALL-UNNAMED",
                        FFM ? "through the Foreign Function & Memory API" : "through JNA",
                        FFM ? "--enable-native-access=io.memfd.core" : "--enable-native-access=com.sun.jna");
        } else {
            assertThat(result.output()).doesNotContain("restricted method");
            assertThat(advice).isEmpty();
        }
    }
}
