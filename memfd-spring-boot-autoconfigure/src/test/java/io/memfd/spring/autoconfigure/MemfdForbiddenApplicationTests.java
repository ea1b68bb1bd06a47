package io.memfd.spring.autoconfigure;

import org.junit.jupiter.api.Test;

import io.memfd.testing.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole Spring Boot application, in its own JVM, where a seccomp filter makes the kernel refuse
 * {@code memfd_create}: what its user sees in the console.
 */
class MemfdForbiddenApplicationTests {

    @Test
    void startsWithoutMemfdSupportAndSaysSoOnce() throws Exception {
        ChildJvm.Result result = ChildJvm.run(StartupApplication.class, "--forbid-memfd-create",
                "--spring.main.banner-mode=off");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().lines().filter((line) -> line.contains("memfd support is off")))
            .singleElement()
            .asString()
            // The console abbreviates io.memfd.spring.autoconfigure.MemFdAutoConfiguration to 40 characters.
            .contains("WARN", "i.m.s.a.MemFdAutoConfiguration", "denied memfd_create [EPERM]");
        assertThat(result.output()).contains("Started with 0 MemFdFactory beans");
    }

    @Test
    void explicitlyEnabledFailsWithAFailureAnalysis() throws Exception {
        ChildJvm.Result result = ChildJvm.run(StartupApplication.class, "--forbid-memfd-create",
                "--spring.main.banner-mode=off", "--memfd.enabled=true");
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("APPLICATION FAILED TO START",
                "Description:\n\nmemfd.enabled is true, but this process cannot create memfds:",
                "denied memfd_create [EPERM]", "Action:\n\nLet this process call memfd_create(2)",
                "set memfd.enabled=false")
            .doesNotContain("Started with");
    }

    @Test
    void aComponentThatNeedsMemfdsIsToldWhyThereAreNone() throws Exception {
        ChildJvm.Result result = ChildJvm.run(StartupApplication.class, "--forbid-memfd-create",
                "--needs-memfd-resources", "--spring.main.banner-mode=off");
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("APPLICATION FAILED TO START",
                "needs a bean of type io.memfd.spring.io.MemFdResources",
                "memfd support is off: this process cannot create memfds", "denied memfd_create [EPERM]",
                "ObjectProvider<MemFdResources>", "@ConditionalOnBean(MemFdResources.class)", "memfd.enabled=true")
            .doesNotContain("Consider defining a bean");
    }

    @Test
    void switchedOffByPropertyItSaysSo() throws Exception {
        ChildJvm.Result result = ChildJvm.run(StartupApplication.class, "--needs-memfd-resources",
                "--spring.main.banner-mode=off", "--memfd.enabled=false");
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("memfd support is off: memfd.enabled is false");
    }
}
