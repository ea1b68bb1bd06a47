package io.memfd.spring.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.support.SpringFactoriesLoader;

import io.memfd.KernelFeatures;
import io.memfd.MemFd;
import io.memfd.MemFdFactory;
import io.memfd.NotPermittedException;
import io.memfd.spring.io.MemFdResources;
import io.memfd.spring.testing.FailureAnalysisReport;
import io.memfd.spring.testing.MemfdCreateForbidden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Where {@code memfd_create} is forbidden: each context starts on a thread whose seccomp filter makes the kernel refuse
 * it with {@code EPERM}, as a container's seccomp profile would.
 */
@ExtendWith(OutputCaptureExtension.class)
class MemFdBackOffTests {

    private static final String BACK_OFF_LINE = "memfd support is off because this process cannot create memfds";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MemFdAutoConfiguration.class));

    @BeforeAll
    static void initializeMemFdOnAnUnfilteredThread() {
        // Threads that MemFd's class initialization starts (its cleaner) would inherit the filter if it ran on one.
        KernelFeatures.detect();
    }

    @Test
    void theFilterReallyForbidsMemfdCreateOnItsThreadOnly() throws Exception {
        NotPermittedException refused = MemfdCreateForbidden.call(() -> {
            try (MemFd memfd = MemFd.create("forbidden")) {
                return null;
            } catch (NotPermittedException e) {
                return e;
            }
        });
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).contains("seccomp", "EPERM");
        try (MemFd allowed = MemFd.create("allowed")) {
            assertThat(allowed.isOpen()).isTrue();
        }
    }

    @Test
    void backsOffWithOneLogLineAndTheContextStarts(CapturedOutput output) throws Exception {
        MemfdCreateForbidden.call(() -> {
            this.runner.run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(MemFdFactory.class)
                .doesNotHaveBean(MemFdResources.class)
                .doesNotHaveBean(KernelFeatures.class)
                .doesNotHaveBean(MemFdProperties.class));
            return null;
        });
        List<String> lines = output.getOut().lines().filter((line) -> line.contains(BACK_OFF_LINE)).toList();
        assertThat(lines).singleElement()
            .asString()
            .contains("WARN", "denied memfd_create", "EPERM", "memfd.enabled=true", "memfd.enabled=false");
    }

    @Test
    void explicitlyEnabledFailsStartupWithAnAnalysis() throws Exception {
        MemfdCreateForbidden.call(() -> {
            this.runner.withPropertyValues("memfd.enabled=true").run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(MemFdUnavailableException.class)
                    .hasMessageContaining("seccomp");
                FailureAnalysis analysis = FailureAnalysisReport.of(context.getStartupFailure());
                assertThat(analysis.getDescription()).startsWith(
                        "memfd.enabled is true, but this process cannot create memfds:")
                    .contains("a seccomp filter or a security module (SELinux, AppArmor) denied memfd_create [EPERM]");
                assertThat(analysis.getAction()).contains("Let this process call memfd_create(2)", "seccomp profile",
                        "remove memfd.enabled=true", "set memfd.enabled=false");
                assertThat(analysis.getCause()).isInstanceOf(MemFdUnavailableException.class);
            });
            return null;
        });
    }

    @Test
    void explicitlyDisabledBacksOffQuietly(CapturedOutput output) throws Exception {
        MemfdCreateForbidden.call(() -> {
            this.runner.withPropertyValues("memfd.enabled=false")
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(MemFdFactory.class));
            return null;
        });
        assertThat(output.getOut()).doesNotContain(BACK_OFF_LINE);
    }

    @Test
    void userFactoryDoesNotEscapeTheFailure() throws Exception {
        MemfdCreateForbidden.call(() -> {
            this.runner.withPropertyValues("memfd.enabled=true")
                .withBean(MemFdFactory.class, () -> MemFdFactory.builder().build())
                .run((context) -> assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(MemFdUnavailableException.class));
            return null;
        });
    }

    @Test
    void theAnalyzerIsRegisteredForSpringApplication() {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
            .load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message, e) -> {
            }));
        assertThat(analyzers).hasAtLeastOneElementOfType(MemFdUnavailableFailureAnalyzer.class);
    }

    @Test
    void analyzerIgnoresOtherFailures() {
        assertThat(new MemFdUnavailableFailureAnalyzer().analyze(new IllegalStateException("other"))).isNull();
        assertThatExceptionOfType(AssertionError.class)
            .isThrownBy(() -> FailureAnalysisReport.of(new IllegalStateException("other")));
    }
}
